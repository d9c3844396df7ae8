/** What `homelab render`, `check --render` and `generate --render` share: finding helm, the render options. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultChartCache, type RenderOptions } from '@homelab/check';
import { locateExecutable } from '@homelab/core';
import { UsageError, type Io, type OptionValues } from './command.js';

export const HELM_INSTALL_HINT = 'install it (https://helm.sh/docs/intro/install/, or `go install helm.sh/helm/v4/cmd/helm@latest`) or pass --helm PATH';

/** The helm binary: --helm, else on PATH or in Go's bin directory; undefined when there is none. */
export function findHelm(io: Io, option: string | undefined): string | undefined {
  if (option !== undefined) return resolve(io.cwd, option);
  return locateExecutable('helm', io.env ?? {});
}

export const RENDER_OPTIONS = {
  charts: { type: 'string' },
  'kube-version': { type: 'string' },
  'api-versions': { type: 'string', multiple: true },
  helm: { type: 'string' },
} as const;

export const RENDER_OPTIONS_HELP = `      --charts DIR          Chart cache: DIR/<repository>/<chart>/<version>/ (a missing chart is
                            pulled into it with helm pull; default: ~/.cache/homelab/charts)
      --kube-version V      Kubernetes version for helm (default: kubernetesVersion of the tree's
                            talconfig.yaml)
      --api-versions GV     An API version the cluster serves besides the CRDs the tree installs
                            (group/version or group/version/Kind); repeatable
      --helm PATH           The helm binary (default: helm on PATH, or in ~/go/bin)`;

/** The render options of a command's parsed options. */
export function renderOptions(io: Io, options: OptionValues, helm: string): RenderOptions {
  const kubeVersion = options['kube-version'];
  if (kubeVersion !== undefined && (typeof kubeVersion !== 'string' || !/^v?\d+\.\d+(\.\d+)?$/.test(kubeVersion))) {
    throw new UsageError(`--kube-version must be a Kubernetes version such as 1.34 or v1.34.1, not '${String(kubeVersion)}'`);
  }
  const charts = typeof options['charts'] === 'string' ? resolve(io.cwd, options['charts']) : defaultChartCache(io.env ?? {});
  return {
    helm,
    charts,
    ...(typeof kubeVersion === 'string' ? { kubeVersion } : {}),
    apiVersions: (options['api-versions'] as string[] | undefined) ?? [],
  };
}

/** The render options of `--render`, or undefined after a one-line skip when there is no helm (never a silent pass). */
export function renderWith(io: Io, options: OptionValues): RenderOptions | undefined {
  const helm = findHelm(io, options['helm'] as string | undefined);
  if (helm && existsSync(helm)) return renderOptions(io, options, helm);
  io.err(`⚠ render skipped: helm ${helm ? `not found at ${helm}` : 'not found on PATH or in ~/go/bin'}, charts stay opaque (${HELM_INSTALL_HINT})`);
  return undefined;
}
