/** Every component package this generator composes, in deployment order. */
import type { HomelabModule } from './compose.js';

export const defaultModules: HomelabModule[] = [];
