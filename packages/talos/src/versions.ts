/**
 * Pinned versions, in one small file Renovate can read. Every other file (and the generated
 * talconfig.yaml) takes them from here, so a bump is a one-line change.
 */

/**
 * Talos Linux the nodes install and upgrade to. 1.13.9 is the release whose machine-config schema
 * the tests check every patch against (shared/chart-schemas/talos/config.schema.json).
 */
// renovate: datasource=github-releases depName=siderolabs/talos
export const TALOS_VERSION = 'v1.13.9';

/**
 * Kubernetes the control plane runs. Talos 1.13.0 shipped Kubernetes 1.36.0 as its default
 * ("What's New in Talos 1.13.0", Component Updates); 1.36.3 is the 1.36 patch release of
 * 2026-07-23, inside the range Talos 1.13 supports.
 */
// renovate: datasource=github-releases depName=kubernetes/kubernetes
export const KUBERNETES_VERSION = 'v1.36.3';

/**
 * talhelper release whose talconfig.yaml schema the output follows
 * (shared/chart-schemas/talhelper/talconfig.json); the version to run `talhelper genconfig` with.
 */
// renovate: datasource=github-releases depName=budimanjojo/talhelper
export const TALHELPER_VERSION = 'v3.1.16';
