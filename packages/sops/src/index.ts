export { encryptYaml, decryptYaml, reencrypt, isEncrypted, recipientsOf } from './sops.js';
export type { EncryptOptions, DecryptOptions, ReencryptOptions } from './sops.js';
export { identitiesFromKeyFile, recipientsOfIdentities } from './age.js';
export { SopsError, type SopsErrorCode } from './errors.js';
export { sopsDefaults, type SopsDefaults } from './defaults.js';
