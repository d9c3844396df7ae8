/** Every `homelab` command, in the order `homelab --help` lists them. */
import type { Command } from '../command.js';
import { generateCommand } from './generate.js';
import { validateCommand } from './validate.js';

export const COMMANDS: Command[] = [generateCommand, validateCommand];
