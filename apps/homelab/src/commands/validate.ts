import { dirname } from 'node:path';
import { CONFIG_OPTION, CONFIG_OPTION_HELP, EXIT_INVALID, EXIT_OK, seconds, type Command } from '../command.js';
import { checkRendered, checkSecretsOnDisk, renderFromConfig, reportWarnings } from './generate.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check homelab.yaml and the rendered output without writing anything',
  help: `homelab validate: check the config and the rendered output, write nothing

Usage: homelab validate [--config FILE] [--verbose]

Runs 'homelab check' on the rendered tree (in memory: errors fail, warnings are printed),
and checks the SOPS files beside the config (kubernetes/**/*.sops.yaml): each must be
encrypted for exactly secrets.ageRecipients.

Options:
${CONFIG_OPTION_HELP}
  -v, --verbose      Also print what homelab check could not decide (info findings)
  -h, --help         Show this help`,
  options: { ...CONFIG_OPTION, verbose: { type: 'boolean', short: 'v' } },
  run: async (io, options) => {
    const start = io.now();
    const result = await renderFromConfig(io, options['config'] as string | undefined);
    if (!result) return EXIT_INVALID;
    reportWarnings(io, result.warnings);
    if (!(await checkRendered(io, result.files, { verbose: options['verbose'] === true, models: result.models }))) return EXIT_INVALID;
    if (!checkSecretsOnDisk(io, dirname(result.configPath), result.recipients, result.files)) return EXIT_INVALID;
    io.out(`✔ ${result.display} is valid: ${result.files.length} files would be generated (${seconds(io, start)})`);
    return EXIT_OK;
  },
};
