/** Load the config named by --config for a CLI command; on a ConfigError print every issue and return null. */
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { ConfigError, formatConfigIssue } from '../errors.js';
import type { CliIO } from './io.js';

export async function loadOrReport(file: string, io: CliIO): Promise<LoadedConfig | null> {
  try {
    return await loadConfig(file, io.env, { cwd: io.cwd });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const issue of err.issues) io.stderr.write(`${formatConfigIssue(issue)}\n`);
    return null;
  }
}
