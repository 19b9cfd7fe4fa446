/**
 * `switchboard block [--json]`: the block list (the config's `blocked` and the run-time entries).
 * `switchboard block add|remove NUMBER_OR_PREFIX`: change the run-time list in the store; a
 * running controller picks it up within a second. A number is normalised with `defaultCountry`;
 * a prefix is written in E.164 form with a `*`: `+1900*`.
 * Exit 0 done, 2 bad usage / config / pattern, 1 a store failure.
 */
import { BadNumberError } from '../errors.js';
import { normalizeNumber } from '../phone.js';
import { isBlockPattern } from '../routing/blocked.js';
import { openStore } from '../store/open.js';
import type { SwitchboardStore } from '../runtime/store.js';
import { DEFAULT_CONFIG_PATH, parseArgs, type Command } from './io.js';
import { loadOrReport } from './load-or-report.js';

const USAGE = 'usage: switchboard block [--config FILE] [--json]\n       switchboard block [--config FILE] add|remove NUMBER_OR_PREFIX\n';

/** The pattern as stored: `+digits*` as written, a number in E.164; null when it is neither. */
function toPattern(raw: string, country: string): string | null {
  const t = raw.trim();
  if (t.endsWith('*')) return isBlockPattern(t) ? t : null;
  try {
    return normalizeNumber(t, country);
  } catch (err) {
    if (err instanceof BadNumberError) return null;
    throw err;
  }
}

/** `switchboard block`. */
export const blockCommand: Command = async (argv, io) => {
  const { opts, positionals } = parseArgs(argv, ['json']);
  const unknown = [...opts.keys()].filter((k) => k !== 'config' && k !== 'json');
  const [sub, raw] = positionals;
  const changing = positionals.length === 2 && (sub === 'add' || sub === 'remove');
  if (unknown.length > 0 || (positionals.length !== 0 && !changing)) {
    io.stderr.write(USAGE);
    return 2;
  }
  const loaded = await loadOrReport(opts.get('config') ?? DEFAULT_CONFIG_PATH, io);
  if (!loaded) return 2;
  const { config } = loaded;
  let pattern: string | null = null;
  if (changing) {
    pattern = toPattern(raw!, config.defaultCountry);
    if (!pattern) {
      io.stderr.write(`switchboard block: ${JSON.stringify(raw)} is neither a phone number nor a prefix such as "+1900*"\n`);
      return 2;
    }
  }
  let store: SwitchboardStore | null = null;
  try {
    store = await openStore(loaded);
    if (changing && sub === 'add') {
      const added = await store.blocked.add(pattern!);
      io.stdout.write(added ? `blocked ${pattern}\n` : `${pattern} was already blocked\n`);
      return 0;
    }
    if (changing) {
      if (await store.blocked.remove(pattern!)) {
        io.stdout.write(`unblocked ${pattern}\n`);
        return 0;
      }
      const inConfig = config.blocked.includes(pattern!);
      io.stderr.write(`switchboard block: ${pattern} is not on the run-time block list${inConfig ? ` (it is in the config's "blocked": remove it there)` : ''}\n`);
      return 2;
    }
    const stored = await store.blocked.list();
    const rows = [...config.blocked.map((p) => ({ pattern: p, source: 'config', since: null as string | null })), ...stored.map((r) => ({ pattern: r.pattern, source: 'run-time', since: r.createdAt }))];
    if (opts.has('json')) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) io.stdout.write('nobody is blocked\n');
    else for (const r of rows) io.stdout.write(`${r.pattern}  ${r.source}${r.since ? ` since ${r.since}` : ''}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`switchboard block: ${(err as Error).message.split('\n')[0]}\n`);
    return 1;
  } finally {
    await store?.close().catch(() => undefined);
  }
};
