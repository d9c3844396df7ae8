export { main, type Io } from './cli.js';
export { COMMANDS } from './commands/index.js';
export type { Command } from './command.js';
export { composeComponents, type Composition, type HomelabModule } from './compose.js';
export { defaultModules } from './modules.js';
export { renderHomelab, SCHEMA_PATH, type RenderResult } from './render.js';
export { MANIFEST_PATH, planWrite, readRenderedTree, writeTree, WriteConflictError, type FileStatus, type WritePlan, type WriteResult } from './writer.js';
