/**
 * A homelab outside the monorepo, composed from the published packages only: its own module
 * selection (no observability, no tunnel, two apps behind Authentik), one chart value changed with
 * merge(), and one app of its own (./vaultwarden.ts).
 *
 *   node dist/homelab.js <homelab.yaml> <out dir>
 */
import { loadConfigFile, type ResolvedConfig } from '@homelab/config';
import { merge, type ComponentModule } from '@homelab/core';
import { argocdModule } from '@homelab/argocd';
import { authentikModule } from '@homelab/authentik';
import { certManagerModule } from '@homelab/cert-manager';
import { ciliumModule } from '@homelab/cilium';
import { gatewayApiModule } from '@homelab/gateway-api';
import { nfsCsiModule } from '@homelab/nfs-csi';
import { prowlarrModule } from '@homelab/prowlarr';
import { radarrModule } from '@homelab/radarr';
import { renderHomelab, writeTree } from '@homelab/cli';
import { CERT_MANAGER_VALUES } from './override.js';
import { vaultwardenModule } from './vaultwarden.js';

type Module = ComponentModule<ResolvedConfig>;

/** `module` with `patch` merged onto the Helm values of its own component. */
function withValues(module: Module, patch: Record<string, unknown>): Module {
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
const modules: Module[] = [
  gatewayApiModule,
  ciliumModule,
  withValues(certManagerModule, CERT_MANAGER_VALUES),
  nfsCsiModule,
  argocdModule,
  prowlarrModule,
  radarrModule,
  vaultwardenModule, // its own app, written in ./vaultwarden.ts
  authentikModule, // the apps and ArgoCD ask for SSO: without it they would be served unprotected
];

const rendered = renderHomelab(config, modules);
if (!rendered.ok) {
  console.error(JSON.stringify({ configProblems: rendered.configProblems, outputProblems: rendered.outputProblems }, null, 2));
  process.exit(1);
}
const result = writeTree(outDir, rendered.files);
console.log(JSON.stringify({ modules: modules.map((module) => module.name), files: rendered.files.map((file) => file.path), written: result.written }));
