/**
 * What went wrong, as a stable code callers (the `homelab secrets` CLI, tests) can branch on.
 *
 * - `NOT_SOPS`: the text has no SOPS metadata (no top-level `sops` mapping with `mac`, `lastmodified`, `version`).
 * - `INVALID_YAML`: the text is not YAML this package handles (syntax error, multi-document, not a mapping).
 * - `INVALID_INPUT`: a plaintext value or option cannot be encrypted (non-string key, unsupported type, bad regex).
 * - `ALREADY_ENCRYPTED`: encrypting a document that already carries a top-level `sops` key.
 * - `INVALID_RECIPIENT`, `INVALID_IDENTITY`: an age recipient / identity string is malformed.
 * - `NO_MATCHING_IDENTITY`: none of the identities can unwrap the data key.
 * - `MALFORMED_METADATA`: the `sops:` block is broken (missing field, bad date, corrupt age block).
 * - `MALFORMED_VALUE`: an `ENC[...]` value does not parse, or a value that must be encrypted is not.
 * - `VALUE_DECRYPT_FAILED`: AES-GCM rejected a value: it was altered, moved to another key, or comes from another file.
 * - `MAC_MISMATCH`: the values do not hash to the stored MAC (or the MAC itself was altered).
 * - `UNSUPPORTED`: a valid SOPS feature this implementation does not cover (Shamir key groups, comment regexes).
 */
export type SopsErrorCode =
  | 'NOT_SOPS'
  | 'INVALID_YAML'
  | 'INVALID_INPUT'
  | 'ALREADY_ENCRYPTED'
  | 'INVALID_RECIPIENT'
  | 'INVALID_IDENTITY'
  | 'NO_MATCHING_IDENTITY'
  | 'MALFORMED_METADATA'
  | 'MALFORMED_VALUE'
  | 'VALUE_DECRYPT_FAILED'
  | 'MAC_MISMATCH'
  | 'UNSUPPORTED';

/** Every failure of this package. Messages never contain plaintext values or secret keys. */
export class SopsError extends Error {
  override readonly name = 'SopsError';
  readonly code: SopsErrorCode;
  /** The value's location (`complex.array[1]`) when the error concerns one value. */
  readonly path: string | undefined;

  constructor(code: SopsErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(`sops: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}
