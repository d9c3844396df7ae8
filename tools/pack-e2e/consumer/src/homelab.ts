/**
 * A homelab outside the monorepo, composed from the few packages it uses: the generator library,
 * its own module selection (no observability, no tunnel, no tailnet, two apps behind Authentik),
 * one chart value changed with merge(), and one app of its own (./vaultwarden.ts). It installs no
 * @homelab/cli and no component it does not compose.
 *
 *   node dist/homelab.js <homelab.yaml> <out dir>
 */
import { loadConfigFile } from '@homelab/config';
import { merge } from '@homelab/core';
import { GENERATOR_ARTIFACTS, renderHomelab, writeTree, type HomelabModule } from '@homelab/generator';
import { argocdModule } from '@homelab/argocd';
import { authentikModule } from '@homelab/authentik';
import { bootstrapArtifact } from '@homelab/bootstrap';
import { certManagerModule } from '@homelab/cert-manager';
import { ciliumModule } from '@homelab/cilium';
import { dnsArtifact } from '@homelab/dns';
import { gatewayApiModule } from '@homelab/gateway-api';
import { nfsCsiModule } from '@homelab/nfs-csi';
import { prowlarrModule } from '@homelab/prowlarr';
import { proxmoxArtifact } from '@homelab/proxmox';
import { radarrModule } from '@homelab/radarr';
import { talosArtifact } from '@homelab/talos';
import { CERT_MANAGER_VALUES } from './override.js';
import { vaultwardenModule } from './vaultwarden.js';

/** `module` with `patch` merged onto the Helm values of its own component. */
function withValues(module: HomelabModule, patch: Record<string, unknown>): HomelabModule {
  return {
    ...module,
    build: (config, context) =>
      [module.build(config, context)].flat().map((component) =>
        component.name === module.name ? { ...component, values: merge(component.values ?? {}, patch) } : component,
      ),
  };
}

const [configPath = 'homelab.yaml', outDir = 'out'] = process.argv.slice(2);
const config = loadConfigFile(configPath);
// In any order: the tree depends on the homelab, not on the list (this one runs backwards against
// the CLI's default order, and the pack e2e test compares the two trees file for file).
const modules: HomelabModule[] = [
  vaultwardenModule, // its own app, written in ./vaultwarden.ts
  authentikModule, // the apps and ArgoCD ask for SSO: without it they would be served unprotected
  prowlarrModule,
  radarrModule,
  argocdModule,
  nfsCsiModule,
  withValues(certManagerModule, CERT_MANAGER_VALUES),
  ciliumModule,
  gatewayApiModule,
];
// Talos machine configs, Proxmox VMs, the bootstrap runbook and DNS records, then the generator's own files.
const artifacts = [talosArtifact, proxmoxArtifact, bootstrapArtifact, dnsArtifact, ...GENERATOR_ARTIFACTS];

const rendered = renderHomelab(config, modules, { artifacts });
if (!rendered.ok) {
  console.error(JSON.stringify({ configProblems: rendered.configProblems, outputProblems: rendered.outputProblems }, null, 2));
  process.exit(1);
}
const result = writeTree(outDir, rendered.files);
console.log(JSON.stringify({ modules: modules.map((module) => module.name), files: rendered.files.map((file) => file.path), written: result.written }));
