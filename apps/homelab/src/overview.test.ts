import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasGeneratedHeader, type Component, type Exposure } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { defaultDerivers, defaultModules } from './modules.js';
import { OVERVIEW_PATH, overviewArtifact, overviewMarkdown } from './overview.js';
import { renderHomelab } from './render.js';
import { configVariant, findOracle, seedConfig } from '@homelab/testing';
import { NFS_EXPORT_REQUIREMENTS } from '@homelab/check';

const seed = seedConfig();

/** Renders with the overview as the only artifact; returns the document and the components it saw. */
function overview(config: ResolvedConfig = seed): { doc: string; components: readonly Component[] } {
  let seen: readonly Component[] = [];
  const result = renderHomelab(config, defaultModules, defaultDerivers, [
    { name: 'capture', build: (c, components) => ((seen = components), overviewArtifact.build(c, components)) },
  ]);
  if (!result.ok) throw new Error(JSON.stringify(result, null, 2));
  const files = result.files.filter((file) => file.path === OVERVIEW_PATH);
  expect(files).toHaveLength(1);
  return { doc: files[0]!.content, components: seen };
}

/** Rows of the Markdown table under a `## heading` (or `### heading`), as cells. */
function tableRows(doc: string, heading: string): string[][] {
  const section = doc.split(new RegExp(`^#{2,3} ${heading}\\n`, 'm'))[1];
  if (section === undefined) throw new Error(`no section ${heading}`);
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const length = lines.slice(start).findIndex((line) => !line.startsWith('|'));
  return lines
    .slice(start + 2, length === -1 ? undefined : start + length)
    .map((line) => line.slice(2, -2).split(/ (?<!\\)\| /));
}

const RESERVED = new Set(['end', 'graph', 'subgraph', 'flowchart', 'style', 'class', 'classDef', 'click', 'linkStyle', 'direction', 'default']);

interface Flowchart {
  problems: string[];
  ids: Set<string>;
  edges: [string, string][];
  /** Label of each node, its lines joined by `\n`. */
  labels: Map<string, string>;
  /** The subgraphs each node is declared in, outermost first. */
  parents: Map<string, string[]>;
}

/**
 * Problems of the document's Mermaid flowchart: one closed fence, subgraph/end balanced, every
 * statement a chain of nodes joined by `-->` (optionally labelled), brackets and quotes balanced,
 * node ids plain identifiers that are not keywords, every referenced node given a label.
 */
function mermaidProblems(doc: string): Flowchart {
  const problems: string[] = [];
  const fences = doc.split('\n').filter((line) => line.startsWith('```'));
  if (fences.length !== 2 || fences[0] !== '```mermaid' || fences[1] !== '```') problems.push(`fences: ${JSON.stringify(fences)}`);
  const block = doc.split('```mermaid\n')[1]?.split('\n```')[0] ?? '';
  const [first, ...lines] = block.split('\n');
  if (first !== 'flowchart LR') problems.push(`first line: ${first}`);
  const node = String.raw`[A-Za-z][A-Za-z0-9_]*(?:\[""\]|\(\[""\]\)|\(""\))?`;
  const statement = new RegExp(String.raw`^${node}(?: -->(?:\|""\|)? ${node})*$`);
  const depth: string[] = [];
  const ids = new Set<string>();
  const labelled = new Set<string>();
  const edges: [string, string][] = [];
  const labels = new Map<string, string>();
  const parents = new Map<string, string[]>();
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('%%')) continue;
    if ((line.match(/"/g) ?? []).length % 2 !== 0) problems.push(`unbalanced quotes: ${line}`);
    const bare = line.replace(/"[^"]*"/g, '""');
    let balance = 0;
    for (const character of bare) {
      if ('[('.includes(character)) balance++;
      if ('])'.includes(character)) balance--;
      if (balance < 0) break;
    }
    if (balance !== 0) problems.push(`unbalanced brackets: ${line}`);
    if (line === 'end') {
      if (depth.pop() === undefined) problems.push('end without subgraph');
      continue;
    }
    const subgraph = /^subgraph ([A-Za-z][A-Za-z0-9_]*)\[""\]$/.exec(bare);
    if (subgraph) {
      depth.push(subgraph[1]!);
      continue;
    }
    if (!statement.test(bare)) {
      problems.push(`not a node chain: ${line}`);
      continue;
    }
    for (const match of line.matchAll(/([A-Za-z][A-Za-z0-9_]*)(?:\["([^"]*)"\]|\(\["([^"]*)"\]\)|\("([^"]*)"\))/g)) {
      labels.set(match[1]!, (match[2] ?? match[3] ?? match[4]!).split('<br/>').join('\n'));
      if (!parents.has(match[1]!)) parents.set(match[1]!, [...depth]);
    }
    const chain = [...bare.matchAll(new RegExp(node, 'g'))].map((match) => match[0]);
    for (const ref of chain) {
      const id = /^[A-Za-z][A-Za-z0-9_]*/.exec(ref)![0];
      if (RESERVED.has(id)) problems.push(`reserved id: ${id}`);
      ids.add(id);
      if (ref !== id) labelled.add(id);
    }
    const chainIds = chain.map((ref) => /^[A-Za-z][A-Za-z0-9_]*/.exec(ref)![0]);
    for (let index = 0; index + 1 < chainIds.length; index++) edges.push([chainIds[index]!, chainIds[index + 1]!]);
  }
  if (depth.length > 0) problems.push(`unclosed subgraph ${depth.join(', ')}`);
  for (const id of ids) if (!labelled.has(id)) problems.push(`node without a label: ${id}`);
  return { problems, ids, edges, labels, parents };
}

/** The id of the one node with this label. */
function nodeLabelled(chart: Flowchart, text: string): string {
  const found = [...chart.labels].filter(([, label]) => label === text).map(([id]) => id);
  expect(found, `nodes labelled ${JSON.stringify(text)}`).toHaveLength(1);
  return found[0]!;
}

const serviceLabel = ({ service }: Exposure) => [`${service.name}:${service.port}`, ...(service.namespace === service.name ? [] : [service.namespace])].join('\n');

describe('docs/homelab.md', () => {
  it('is a generated Markdown file', () => {
    const { doc } = overview();
    expect(hasGeneratedHeader(doc)).toBe(true);
    expect(doc.startsWith('<!-- Generated by homelab from @homelab/cli. Do not edit by hand:')).toBe(true);
    expect(doc.endsWith('\n')).toBe(true);
  });

  it('lists every component with its group, namespace, wave, source and package', () => {
    const { doc, components } = overview();
    expect(components.length).toBeGreaterThan(5);
    const rows = tableRows(doc, 'What runs where');
    expect(rows.map((row) => row[0]).sort()).toEqual(components.map((component) => component.name).sort());
    for (const component of components) {
      const row = rows.find((candidate) => candidate[0] === component.name)!;
      expect(row.slice(1, 4)).toEqual([component.group, component.namespace, String(component.syncWave ?? 0)]);
      expect(row[5]).toBe(component.source);
      if (component.chart) expect(row[4]).toContain(`${component.chart.name}@${component.chart.version}`);
      for (const source of component.gitSources ?? []) expect(row[4]).toContain(`${source.path}@${source.targetRevision}`);
    }
  });

  it('orders the sync waves and puts each component in its wave', () => {
    const { doc, components } = overview();
    const rows = tableRows(doc, 'Sync waves');
    const waves = rows.map((row) => Number(row[0]));
    expect(waves).toEqual([...new Set(components.map((component) => component.syncWave ?? 0))].sort((a, b) => a - b));
    for (const component of components) {
      const row = rows.find((candidate) => Number(candidate[0]) === (component.syncWave ?? 0))!;
      expect(row[1]!.split(', ')).toContain(component.name);
    }
  });

  it('has a row for every exposure of the seed: host, access, service and SSO', () => {
    const { doc, components } = overview();
    const exposures = components.flatMap((component) => (component.exposes ?? []).map((exposure) => ({ ...exposure, component: component.name })));
    expect(exposures.map((exposure) => exposure.access)).toEqual(expect.arrayContaining(['public', 'internal']));
    const rows = tableRows(doc, 'Exposure');
    expect(rows).toHaveLength(exposures.length);
    for (const exposure of exposures) {
      expect(rows).toContainEqual([
        exposure.host,
        expect.stringMatching(new RegExp(`^${exposure.access}: `)),
        `${exposure.service.name}.${exposure.service.namespace}:${exposure.service.port}`,
        exposure.sso,
        exposure.component,
      ]);
    }
    expect(rows.find((row) => row[1]!.startsWith('internal'))![1]).toContain(seed.network.internalGatewayIP);
  });

  it('gives the IP plan: ranges, gateway, hosts, nodes, internal gateway and fixed app IPs, by address', () => {
    const { doc } = overview();
    const ranges = tableRows(doc, 'Ranges');
    for (const [name, range] of Object.entries(seed.network.ranges)) if (range) expect(ranges).toContainEqual([name, range.start, range.end, expect.any(String)]);
    const addresses = tableRows(doc, 'Fixed addresses');
    const listed = addresses.map((row) => row[0]!.replaceAll('`', ''));
    const expected = [
      seed.network.gateway,
      seed.network.internalGatewayIP,
      ...Object.values(seed.hosts).map((host) => host.ip),
      ...seed.nodes.map((node) => node.ip),
      ...Object.values(seed.apps).flatMap((app) => (app.loadBalancerIP ? [app.loadBalancerIP] : [])),
    ];
    expect([...listed].sort()).toEqual([...expected].sort());
    const numeric = (ip: string) => ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
    expect(listed.map(numeric)).toEqual([...listed.map(numeric)].sort((a, b) => a - b));
    expect(doc).toContain(`Subnet \`${seed.network.subnet}\``);
  });

  it('lists every StorageClass and states the NFS export options once taken from @homelab/check', () => {
    const { doc, components } = overview();
    const classes = components.flatMap((component) => Object.values(component.objects ?? {})).filter((object) => object.kind === 'StorageClass');
    expect(classes.length).toBeGreaterThan(0);
    expect(tableRows(doc, 'Storage').map((row) => row[0]).sort()).toEqual(classes.map((object) => object.metadata?.name).sort());
    const nfsRow = tableRows(doc, 'Storage').find((row) => row[1] === NFS_EXPORT_REQUIREMENTS.driver)!;
    expect(nfsRow[4]).toBe(`NFS \`${seed.nfs.server}:${seed.nfs.exports.config}\``);
    for (const option of NFS_EXPORT_REQUIREMENTS.truenas) expect(doc).toContain(`- ${option}\n`);
    expect(doc).toContain(NFS_EXPORT_REQUIREMENTS.exports);
  });

  it('says where each node-local class keeps its data and which volumes use which class, following storage.volumes', () => {
    const { doc, components } = overview();
    const nodeLocal = components.find((component) => (component.hostDirectories ?? []).length > 0)!;
    const row = tableRows(doc, 'Storage').find((r) => r[5] === nodeLocal.name)!;
    expect(row[4]).toBe(`the pod's node, ${nodeLocal.hostDirectories!.map((dir) => `\`${dir}\``).join(', ')}`);
    const usersOf = (text: string, storageClass: string) => text.split('\n').find((line) => line.startsWith(`- \`${storageClass}\`: `)) ?? '';
    const grafana = 'kube-prometheus-stack (`grafana.persistence.storageClassName`)';
    const prometheus = 'kube-prometheus-stack (`prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName`)';
    expect(usersOf(doc, row[0]!)).toContain(prometheus);
    expect(usersOf(doc, row[0]!)).not.toContain(grafana);
    const moved = overview(configVariant((data) => (data.storage = { volumes: { grafana: 'node-local', prometheus: 'nfs' } }))).doc;
    expect(usersOf(moved, row[0]!)).toContain(grafana);
    expect(usersOf(moved, row[0]!)).not.toContain(prometheus);
  });

  it('lists every declared secret by name, namespace and keys', () => {
    const { doc, components } = overview();
    const secrets = components.flatMap((component) => component.secrets ?? []);
    expect(secrets.length).toBeGreaterThan(0);
    const rows = tableRows(doc, 'Secrets');
    expect(rows).toHaveLength(secrets.length);
    for (const secret of secrets) expect(rows.some((row) => row[0] === secret.name && row[1] === secret.namespace && row[2] === secret.keys.join(', '))).toBe(true);
  });

  it('draws a well-formed Mermaid flowchart: entry, host, Service, Application in its group box in ArgoCD', () => {
    const { doc, components } = overview();
    const chart = mermaidProblems(doc);
    expect(chart.problems).toEqual([]);
    const has = (from: string, to: string) => chart.edges.some(([a, b]) => a === from && b === to);
    expect(has('internet', 'cloudflare')).toBe(true);
    expect(has('lan', 'dns') && has('dns', 'gateway')).toBe(true);
    for (const component of components) {
      const app = nodeLabelled(chart, `${component.name}\nwave ${component.syncWave ?? 0}`);
      expect(chart.parents.get(app), component.name).toEqual(['argocd', `group_${component.group}`]);
      for (const exposure of component.exposes ?? []) {
        const provider = { public: 'cloudflare', internal: 'gateway', tailnet: 'tailscale' }[exposure.access];
        const host = nodeLabelled(chart, exposure.host);
        const service = nodeLabelled(chart, serviceLabel(exposure));
        expect(has(provider, host) && has(host, service), `${exposure.host}: ${provider} → host → Service`).toBe(true);
        expect(has(service, app), `${exposure.host}: Service → Application ${component.name}`).toBe(true);
      }
    }
    // No host is an edge label (long labels overlapped the nodes beside them).
    expect(doc).not.toContain('-->|');
    // No tailnet exposure in the seed: no tailnet path drawn.
    expect(chart.ids.has('tailnet')).toBe(false);
  });

  it('names a Service without its namespace when the two are equal', () => {
    const component: Component = {
      name: 'app',
      group: 'apps',
      namespace: 'web',
      source: '@x/app',
      objects: {},
      exposes: [{ host: 'web.example.org', access: 'internal', service: { name: 'web', namespace: 'web', port: 80 }, sso: 'none' }],
    };
    const chart = mermaidProblems(overviewMarkdown(seed, [component]));
    expect(chart.problems).toEqual([]);
    expect(chart.edges).toContainEqual([nodeLabelled(chart, 'web:80'), nodeLabelled(chart, 'app\nwave 0')]);
  });

  it('follows the config: domain, internal gateway IP, nodes, tailnet exposures', () => {
    const { doc: before } = overview();
    const { doc: after } = overview(
      configVariant((data) => {
        data.domains = { public: 'example.org', internal: 'lan.example.org' };
        data.network.internalGatewayIP = '192.168.30.70';
        data.nodes['talos-w01'] = { ip: '192.168.30.51', role: 'worker' };
        data.apps = { ...data.apps, sonarr: { ...data.apps?.sonarr, expose: { tailnet: 'sonarr' } } };
      }),
    );
    expect(after).not.toBe(before);
    expect(after).not.toContain(seed.domains.public);
    expect(after).toContain('sonarr.lan.example.org');
    expect(after).toContain('gateway["Internal gateway<br/>192.168.30.70"]');
    expect(tableRows(after, 'Fixed addresses')).toContainEqual(['`192.168.30.51`', 'talos-w01', expect.stringContaining('worker')]);
    const chart = mermaidProblems(after);
    expect(chart.problems).toEqual([]);
    expect(chart.edges).toContainEqual(['tailnet', 'tailscale']);
    // The tailnet host is bare (MagicDNS): tailscale → sonarr → its Service → the sonarr Application.
    const host = nodeLabelled(chart, 'sonarr');
    const app = nodeLabelled(chart, 'sonarr\nwave 0');
    expect(chart.edges).toContainEqual(['tailscale', host]);
    expect(chart.edges.some(([from, service]) => from === host && chart.edges.some(([a, b]) => a === service && b === app))).toBe(true);
    expect(tableRows(after, 'Exposure').some((row) => row[1] === 'tailnet: Tailscale' && row[4] === 'sonarr')).toBe(true);
  });

  it('is deterministic, whatever order the components come in', () => {
    const { doc, components } = overview();
    expect(overview().doc).toBe(doc);
    expect(overviewMarkdown(seed, [...components].reverse())).toBe(doc);
  });

  it('sanitizes Mermaid node ids and escapes labels and table cells', () => {
    const weird: Component[] = [
      { name: 'end', group: 'apps', namespace: 'x', source: '@x/end', objects: {} },
      { name: 'a-b', group: 'apps', namespace: 'x', source: '@x/a', description: '', objects: {} },
      { name: 'a_b', group: 'apps', namespace: 'x', source: '@x/b', objects: {} },
      {
        name: 'q"x',
        group: 'core',
        namespace: 'ns',
        source: '@x/q|pipe',
        objects: {},
        exposes: [{ host: 'q.example.org', access: 'internal', service: { name: 's', namespace: 'ns', port: 1 }, sso: 'none' }],
        secrets: [{ name: 's', namespace: 'ns', keys: ['k'], description: 'see <file> and `a <b>`' }],
      },
    ];
    const doc = overviewMarkdown(seed, weird);
    const { problems, ids } = mermaidProblems(doc);
    expect(problems).toEqual([]);
    expect(ids).toEqual(new Set(['lan', 'dns', 'gateway', 'host_q_example_org', 'svc_ns_s_1', 'app_q_x', 'app_end', 'app_a_b', 'app_a_b_2']));
    expect(doc).toContain('app_q_x["q#quot;x<br/>wave 0"]');
    expect(doc).toContain('| @x/q\\|pipe |');
    expect(doc).toContain('see \\<file\\> and `a <b>`');
  });
});

const mmdc = findOracle('mmdc', 'the overview diagram rendered by mermaid-cli');
const chromium = findOracle('chromium', 'the overview diagram rendered by mermaid-cli in headless Chromium');

/** A label of the rendered SVG (a node's, or an edge's): its text (lines joined by `\n`) and its box. */
interface RenderedLabel {
  id: string;
  text: string;
  box: { left: number; top: number; right: number; bottom: number };
}

const NUMBER = '(-?[\\d.]+(?:e[-+]?\\d+)?)';
const LABEL = `<g class="label"[^>]*transform="translate\\(${NUMBER}, ${NUMBER}\\)">(?:<rect/>)?<foreignObject width="${NUMBER}" height="${NUMBER}">(.*?)</foreignObject>`;

/** The labels of the nodes (`node: true`) or of the edges, where Mermaid placed them. */
function renderedLabels(svg: string, { node }: { node: boolean }): RenderedLabel[] {
  const group = node ? `<g class="node [^"]*" id="([^"]+)"[^>]*transform="translate\\(${NUMBER}, ${NUMBER}\\)">.*?` : `<g class="edgeLabel"()[^>]*transform="translate\\(${NUMBER}, ${NUMBER}\\)">`;
  return [...svg.matchAll(new RegExp(group + LABEL, 'g'))].map(([, id, x, y, dx, dy, width, height, html]) => {
    const left = Number(x) + Number(dx);
    const top = Number(y) + Number(dy);
    const text = html!.replace(/<br\s*\/?>/g, '\n').replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').trim();
    return { id: id!, text, box: { left, top, right: left + Number(width), bottom: top + Number(height) } };
  });
}

describe.skipIf(!mmdc || !chromium)('docs/homelab.md rendered by mermaid-cli in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-overview-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders: every host and Application is a node, tall not wide, no label overlaps another', () => {
    const { doc, components } = overview();
    writeFileSync(join(dir, 'overview.mmd'), /```mermaid\n([\s\S]*?)\n```/.exec(doc)![1]!);
    // Chromium as root needs --no-sandbox; Debian's chromium, not the browser puppeteer would download.
    writeFileSync(join(dir, 'puppeteer.json'), JSON.stringify({ executablePath: chromium, args: ['--no-sandbox'] }));
    const result = spawnSync(mmdc!, ['-i', 'overview.mmd', '-o', 'overview.svg', '-p', 'puppeteer.json', '-q'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    const svg = readFileSync(join(dir, 'overview.svg'), 'utf8');
    expect(svg).toContain('aria-roledescription="flowchart-v2"');

    const nodes = renderedLabels(svg, { node: true });
    expect(nodes.map((node) => node.id.replace(/^my-svg-flowchart-(.*)-\d+$/, '$1')).sort()).toEqual([...mermaidProblems(doc).ids].sort());
    const texts = new Set(nodes.map((node) => node.text));
    for (const component of components) {
      expect(texts, component.name).toContain(`${component.name}\nwave ${component.syncWave ?? 0}`);
      for (const exposure of component.exposes ?? []) expect(texts, exposure.host).toContain(exposure.host);
    }
    const [, , width, height] = /viewBox="([^"]+)"/.exec(svg)![1]!.split(' ').map(Number);
    expect(width, `rendered ${width} × ${height}`).toBeLessThanOrEqual(height!);
    // Edge labels too: hosts written on the gateway's edges once overlapped the tunnel node.
    const labels = [...nodes, ...renderedLabels(svg, { node: false })];
    const overlaps = labels.flatMap((a, index) =>
      labels.slice(index + 1).filter((b) => a.box.left < b.box.right && b.box.left < a.box.right && a.box.top < b.box.bottom && b.box.top < a.box.bottom).map((b) => `${a.text} / ${b.text}`),
    );
    expect(overlaps).toEqual([]);
  }, 180_000);
});
