export { main, type Io } from './cli.js';
export { COMMANDS } from './commands/index.js';
export type { Command } from './command.js';
export { defaultArtifacts, defaultModules } from './modules.js';
