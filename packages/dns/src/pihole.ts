/**
 * Pi-hole's local DNS records in the two forms Pi-hole reads: the hosts-format custom.list (v5, and
 * what v6 migrates on upgrade) and the `dns.hosts` array of pihole.toml (v6), plus a README on how
 * to import them. An ArtifactModule: the files live outside the ArgoCD tree, for a person to apply.
 */
import { GENERATOR, generatedHeader, merge, type ArtifactModule, type Component, type GeneratedFile, type Patch, generatedMarkdownHeader } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { DNS_DEFAULTS, DNS_FILES, type DnsSettings } from './defaults.js';
import { dnsRecords, type DnsRecord } from './records.js';

/** npm package named in every generated file's header. */
export const SOURCE = '@homelab/dns';

/** `<ip> <hostname>` lines, one per record (Pi-hole's Local DNS records / hosts format). */
export function hostsLines(records: readonly DnsRecord[]): string[] {
  return records.map((record) => `${record.ip} ${record.host}`);
}

/** custom.list: the generated header, then one `<ip> <hostname>` line per record. */
export function customList(records: readonly DnsRecord[]): string {
  return `${generatedHeader(SOURCE)}${hostsLines(records).map((line) => `${line}\n`).join('')}`;
}

/** The `hosts` key of pihole.toml's `[dns]` table (a TOML array of `"<ip> <hostname>"` strings). */
export function tomlHosts(records: readonly DnsRecord[]): string {
  const items = hostsLines(records).map((line) => `  ${JSON.stringify(line)},\n`).join('');
  return (
    generatedHeader(SOURCE) +
    '# Pi-hole v6: replace the `hosts = [...]` line of the [dns] table in /etc/pihole/pihole.toml with this.\n' +
    (items === '' ? 'hosts = []\n' : `hosts = [\n${items}]\n`)
  );
}

/** How to import the records, beside them. */
export function importReadme(config: Pick<ResolvedConfig, 'domains' | 'network'>, records: readonly DnsRecord[], settings: DnsSettings): string {
  const dir = settings.directory;
  return [
    generatedMarkdownHeader(SOURCE).trimEnd(),
    '',
    '# Local DNS records for Pi-hole',
    '',
    `${records.length} records: every internal host (\`*.${config.domains.internal}\`) resolves to the internal gateway`,
    `\`${config.network.internalGatewayIP}\`; LoadBalancer Services with a fixed address resolve to it as`,
    `\`<service>.<namespace>.${config.domains.internal}\`.`,
    '',
    '## Pi-hole v6',
    '',
    `- **pihole.toml**: replace the \`hosts = [...]\` line under \`[dns]\` in \`/etc/pihole/pihole.toml\` with the array in`,
    `  \`${dir}/${DNS_FILES.tomlHosts}\`, then \`sudo systemctl restart pihole-FTL\`.`,
    '- **Docker**: set the environment variable (array items are separated by `;`):',
    `  \`FTLCONF_dns_hosts="$(grep -v '^#' ${dir}/${DNS_FILES.customList} | paste -sd ';')"\`.`,
    '- **Web UI**: Settings → Local DNS Records, one line of the list at a time.',
    '',
    '## Pi-hole v5',
    '',
    `Copy \`${dir}/${DNS_FILES.customList}\` to \`/etc/pihole/custom.list\` and run \`pihole restartdns\`.`,
    '(Upgrading to v6 imports that file once into `dns.hosts`.)',
    '',
  ].join('\n');
}

/** The three files, for the config and the composed components (records sorted, same bytes every run). */
export function piholeFiles(config: ResolvedConfig, components: readonly Component[], overrides?: Patch<DnsSettings>): GeneratedFile[] {
  const settings = merge<DnsSettings>(DNS_DEFAULTS, overrides);
  const records = dnsRecords(config, components);
  const path = (file: string) => `${settings.directory}/${file}`;
  return [
    { path: path(DNS_FILES.customList), source: SOURCE, content: customList(records) },
    { path: path(DNS_FILES.tomlHosts), source: SOURCE, content: tomlHosts(records) },
    { path: path(DNS_FILES.readme), source: SOURCE, content: importReadme(config, records, settings) },
  ];
}

/** Registers the Pi-hole record files with the aggregator (`dns/` beside `talos/` and `terraform/`). */
export const dnsArtifact: ArtifactModule<ResolvedConfig> = {
  name: 'dns',
  build: (config, components) => piholeFiles(config, components),
};
