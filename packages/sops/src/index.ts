export { encryptYaml, decryptYaml, reencrypt, isEncrypted, recipientsOf } from './sops.js';
export type { EncryptOptions, DecryptOptions, ReencryptOptions } from './sops.js';
export { identitiesFromKeyFile } from './age.js';
export { SopsError, type SopsErrorCode } from './errors.js';
export { sopsDefaults, type SopsDefaults } from './defaults.js';
