/** Settings of this package that have a generic default. One place; documented in README.md. */
export interface SopsDefaults {
  /**
   * `encrypted_regex` used when the caller names no rule: encrypt only what is under a key named
   * `data` or `stringData` — the payload of a Kubernetes Secret — and keep `apiVersion`, `kind`,
   * `metadata` readable for ArgoCD, reviewers and `kubectl diff`.
   */
  encryptedRegex: string;
  /**
   * The sops release whose file layout this package writes (`sops.version`). The layout was checked
   * against a file written by that release; older sops 3.x releases read it too (they ignore
   * nothing we emit, and we emit no field they lack).
   */
  formatVersion: string;
  /**
   * Indentation of the YAML we write. 2, the layout of sops ≤ 3.8 and of most Kubernetes YAML
   * (sops ≥ 3.9 writes 4; both parse to the same document, and js-yaml's 4-space output pads
   * sequence dashes oddly).
   */
  indent: number;
  /** What sops assumes when a file names no rule at all (sops' `DefaultUnencryptedSuffix`). */
  implicitUnencryptedSuffix: string;
}

export const sopsDefaults = {
  encryptedRegex: '^(data|stringData)$',
  formatVersion: '3.11.0',
  indent: 2,
  implicitUnencryptedSuffix: '_unencrypted',
} as const satisfies SopsDefaults;
