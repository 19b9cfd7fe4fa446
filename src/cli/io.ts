/** What a CLI command gets: its arguments and where to write. Tests pass capturing streams. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A command: parses its own argv, returns the exit status (0 ok, 1 runtime failure, 2 bad input). */
export type Command = (argv: string[], io: CliIO) => Promise<number>;

/** Parse `--key value`, `--key=value` and `--flag` into a map; the rest are positionals. */
export function parseArgs(argv: string[], flags: readonly string[] = []): { opts: Map<string, string>; positionals: string[] } {
  const opts = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) opts.set(a.slice(2, eq), a.slice(eq + 1));
      else if (flags.includes(a.slice(2))) opts.set(a.slice(2), 'true');
      else {
        // A value may legitimately be empty (`--from ""` is a withheld caller).
        const v = argv[i + 1];
        opts.set(a.slice(2), v ?? '');
        i++;
      }
    } else positionals.push(a);
  }
  return { opts, positionals };
}

export const DEFAULT_CONFIG_PATH = 'config/switchboard.yaml';
