/** Every default of @homelab/dns, in one place, and the settings they fill in. */

/** What a caller may change; every field has its default in `DNS_DEFAULTS`. */
export interface DnsSettings {
  /** Directory (relative to the output root) the record files are written to. @default 'dns' */
  directory: string;
}

export const DNS_DEFAULTS = {
  directory: 'dns',
} satisfies DnsSettings;

/**
 * Cilium LB-IPAM's annotation asking for fixed LoadBalancer addresses (comma-separated). Services
 * carrying it have an address known before deployment, so they get a DNS record.
 * @see https://docs.cilium.io/en/stable/network/lb-ipam/#requesting-ips
 */
export const LB_IPS_ANNOTATION = 'lbipam.cilium.io/ips';

/** File names inside `DnsSettings.directory`. */
export const DNS_FILES = {
  /** Hosts format (`<ip> <hostname>`): Pi-hole v5's /etc/pihole/custom.list. */
  customList: 'pihole-custom.list',
  /** Pi-hole v6: the `hosts` array of the `[dns]` table in /etc/pihole/pihole.toml. */
  tomlHosts: 'pihole-dns-hosts.toml',
  /** How to import them. */
  readme: 'README.md',
} as const;
