/** The one chart value this homelab changes in code, with merge() from @homelab/core. */
export const CERT_MANAGER_VALUES = { replicaCount: 3 } as const;
