/**
 * `switchboard schedule [--json]`: every schedule of the config, open or closed now, and why.
 * `switchboard schedule ID open|closed|auto`: the day/night switch, a manual override kept in the
 * store (a running controller picks it up within a second); `auto` returns to the calendar.
 * Exit 0 done, 2 bad usage / config / unknown schedule, 1 a store failure.
 */
import { hint } from '../config/crosscheck.js';
import { clockSentence, scheduleSentence, scheduleState, wallClock } from '../routing/schedule.js';
import { openStore } from '../store/open.js';
import type { SwitchboardStore } from '../runtime/store.js';
import { DEFAULT_CONFIG_PATH, parseArgs, type Command } from './io.js';
import { loadOrReport } from './load-or-report.js';

const USAGE = 'usage: switchboard schedule [--config FILE] [--json]\n       switchboard schedule [--config FILE] ID open|closed|auto\n';

/** `switchboard schedule`. */
export const scheduleCommand: Command = async (argv, io) => {
  const { opts, positionals } = parseArgs(argv, ['json']);
  const unknown = [...opts.keys()].filter((k) => k !== 'config' && k !== 'json');
  const setting = positionals.length === 2;
  if (unknown.length > 0 || (positionals.length !== 0 && !setting) || (setting && !['open', 'closed', 'auto'].includes(positionals[1]!))) {
    io.stderr.write(USAGE);
    return 2;
  }
  const loaded = await loadOrReport(opts.get('config') ?? DEFAULT_CONFIG_PATH, io);
  if (!loaded) return 2;
  const { schedules } = loaded.config;
  const ids = schedules.map((s) => s.id);
  if (setting && !ids.includes(positionals[0]!)) {
    io.stderr.write(`switchboard schedule: unknown schedule "${positionals[0]}"${hint(positionals[0]!, ids)}${ids.length ? ` (the config has ${ids.join(', ')})` : ' (the config has none)'}\n`);
    return 2;
  }
  let store: SwitchboardStore | null = null;
  try {
    store = await openStore(loaded);
    if (setting) {
      const [id, word] = positionals as [string, 'open' | 'closed' | 'auto'];
      await store.overrides.set(id, word === 'auto' ? null : word);
      io.stdout.write(word === 'auto' ? `schedule ${id}: back to its calendar\n` : `schedule ${id}: forced ${word} until "switchboard schedule ${id} auto"\n`);
      return 0;
    }
    const overrides = new Map((await store.overrides.list()).map((o) => [o.scheduleId, o] as const));
    const now = Date.now();
    const rows = schedules.map((s) => {
      const override = overrides.get(s.id);
      const state = scheduleState(s, now, override?.state);
      const clock = wallClock(s.timezone, now);
      return { id: s.id, timezone: s.timezone, localTime: clock.dateTime, open: state.open, why: state.why, override: override?.state ?? null, overrideSince: override?.updatedAt ?? null, text: `${scheduleSentence(state)} (${clockSentence(s.timezone, clock)})` };
    });
    // An override left behind by a schedule that has since gone from the config does nothing; show it.
    const stale = [...overrides.values()].filter((o) => !ids.includes(o.scheduleId));
    if (opts.has('json')) {
      io.stdout.write(`${JSON.stringify({ schedules: rows.map(({ text: _t, ...r }) => r), staleOverrides: stale }, null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) io.stdout.write('no schedules in the config: every number is always open\n');
    for (const r of rows) io.stdout.write(`${r.text}${r.override ? ` [override since ${r.overrideSince}]` : ''}\n`);
    for (const o of stale) io.stdout.write(`override for ${o.scheduleId} (${o.state}) is stored, but the config has no such schedule\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`switchboard schedule: ${(err as Error).message.split('\n')[0]}\n`);
    return 1;
  } finally {
    await store?.close().catch(() => undefined);
  }
};
