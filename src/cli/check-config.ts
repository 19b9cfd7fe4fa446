/**
 * `switchboard check-config [--config FILE]`: validate a config file like `nginx -t`.
 * Exit 0 when it is usable (warnings are shown but do not fail), 2 with every issue otherwise.
 */
import { ConfigError, formatConfigIssue, SwitchboardError } from '../errors.js';
import { loadConfig } from '../config/load.js';
import { DEFAULT_CONFIG_PATH, parseArgs, type Command } from './io.js';

const USAGE = 'usage: switchboard check-config [--config FILE]\n';

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Validate the config; print `<file>: ok (...)` or every issue as `file:line: key: message`. */
export const checkConfigCommand: Command = async (argv, io) => {
  const { opts, positionals } = parseArgs(argv);
  const unknown = [...opts.keys()].filter((k) => k !== 'config');
  if (unknown.length > 0 || positionals.length > 0 || opts.get('config') === '') {
    io.stderr.write(USAGE);
    return 2;
  }
  const file = opts.get('config') ?? DEFAULT_CONFIG_PATH;
  try {
    const { config, warnings } = await loadConfig(file, io.env, { cwd: io.cwd });
    io.stdout.write(
      `${file}: ok (${count(config.users.length, 'user')}, ${count(config.numbers.length, 'number')}, ` +
        `${count(config.ringGroups.length, 'ring group')}, ${count(config.distributions.length, 'distribution')})\n`,
    );
    for (const w of warnings) io.stderr.write(`${formatConfigIssue({ ...w, message: `warning: ${w.message}` })}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const issue of err.issues) io.stderr.write(`${formatConfigIssue(issue)}\n`);
      return 2;
    }
    // Anything else is a bug or an I/O failure: one line, never a stack trace.
    const message = err instanceof SwitchboardError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    io.stderr.write(`switchboard check-config: ${message}\n`);
    return 1;
  }
};
