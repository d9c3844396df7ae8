/** Every `homelab` command, in the order `homelab --help` lists them. */
import type { Command } from '../command.js';
import { bootstrapCommand } from './bootstrap.js';
import { checkCommand } from './check.js';
import { secretsCommand } from './secrets.js';
import { diffCommand } from './diff.js';
import { generateCommand } from './generate.js';
import { renderCommand } from './render.js';
import { validateCommand } from './validate.js';

export const COMMANDS: Command[] = [generateCommand, validateCommand, diffCommand, secretsCommand, renderCommand, checkCommand, bootstrapCommand];
