/**
 * The Kubernetes object classes (@kubernetes-models) a module builds its `objects` with, one
 * namespace per API group version. Re-exported so a homelab outside this repository writes a custom
 * app against `@homelab/core/models` alone, with the very classes (and schema version) core
 * validates: `kubernetes-models` is core's dependency, not something every consumer re-declares.
 * A subpath of its own, so importing core does not load every class.
 */
export * as v1 from 'kubernetes-models/v1';
export * as appsV1 from 'kubernetes-models/apps/v1';
export * as batchV1 from 'kubernetes-models/batch/v1';
export * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
export * as policyV1 from 'kubernetes-models/policy/v1';
export * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
