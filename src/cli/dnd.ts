/**
 * `switchboard dnd [--json]`: who is on do-not-disturb, and since when.
 * `switchboard dnd USER on|off`: set it in the store; a running controller picks it up within a
 * second (spec section 6). Bad input (an unknown user, a word other than on/off) is exit 2 with one
 * line on stderr; 1 is a store failure.
 */
import { hint } from '../config/crosscheck.js';
import { openStore } from '../store/open.js';
import type { SwitchboardStore } from '../runtime/store.js';
import { DEFAULT_CONFIG_PATH, parseArgs, type Command } from './io.js';
import { loadOrReport } from './load-or-report.js';

const USAGE = 'usage: switchboard dnd [--config FILE] [--json] | switchboard dnd [--config FILE] USER on|off\n';

/** `switchboard dnd`. */
export const dndCommand: Command = async (argv, io) => {
  const { opts, positionals } = parseArgs(argv, ['json']);
  const unknown = [...opts.keys()].filter((k) => k !== 'config' && k !== 'json');
  if (unknown.length > 0 || (positionals.length !== 0 && positionals.length !== 2)) {
    io.stderr.write(USAGE);
    return 2;
  }
  const setting = positionals.length === 2;
  const [userId, word] = positionals;
  if (setting && word !== 'on' && word !== 'off') {
    io.stderr.write(`switchboard dnd: ${JSON.stringify(word)} is neither "on" nor "off"\n`);
    return 2;
  }
  const loaded = await loadOrReport(opts.get('config') ?? DEFAULT_CONFIG_PATH, io);
  if (!loaded) return 2;
  const ids = loaded.config.users.map((u) => u.id);
  if (setting && !ids.includes(userId!)) {
    io.stderr.write(`switchboard dnd: unknown user ${JSON.stringify(userId)}${hint(userId!, ids)}\n`);
    return 2;
  }
  let store: SwitchboardStore | null = null;
  try {
    store = await openStore(loaded);
    if (setting) {
      const on = word === 'on';
      const changed = await store.dnd.set(userId!, on);
      io.stdout.write(on ? (changed ? `${userId} is on do-not-disturb\n` : `${userId} was already on do-not-disturb\n`) : changed ? `${userId} is off do-not-disturb\n` : `${userId} was not on do-not-disturb\n`);
      return 0;
    }
    const rows = (await store.dnd.list()).map((r) => ({ user: r.userId, since: r.since, inConfig: ids.includes(r.userId) }));
    if (opts.has('json')) io.stdout.write(`${JSON.stringify(rows.map(({ user, since }) => ({ user, since })), null, 2)}\n`);
    else if (rows.length === 0) io.stdout.write('nobody is on do-not-disturb\n');
    else for (const r of rows) io.stdout.write(`${r.user}  on do-not-disturb since ${r.since}${r.inConfig ? '' : ' (no such user in the config: it does nothing)'}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`switchboard dnd: ${(err as Error).message.split('\n')[0]}\n`);
    return 1;
  } finally {
    await store?.close().catch(() => undefined);
  }
};
