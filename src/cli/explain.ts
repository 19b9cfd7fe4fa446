/**
 * `switchboard explain --config FILE --to NUMBER --from NUMBER [--at TIME] [--json]`: print the
 * route a call would take, without placing it and without moving any ring-group cursor (cursors
 * are peeked). `--at` moves the schedule clock only; overrides and the block list in the store
 * apply as they would to a real call.
 */
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createCrmLookup } from '../contacts/crm.js';
import { resolveContact } from '../contacts/resolve.js';
import { BadNumberError, ConfigError, formatConfigIssue, SwitchboardError } from '../errors.js';
import { isWithheld, normalizeNumber } from '../phone.js';
import { formatPlanText, planToJson } from '../routing/format.js';
import { planRoute } from '../routing/route.js';
import { blockDecision, BlockList, isWithheldCaller } from '../routing/blocked.js';
import { parseAt } from '../routing/schedule.js';
import { openStore } from '../store/open.js';
import type { SwitchboardStore } from '../runtime/store.js';
import { historyView } from '../runtime/history-view.js';
import { EXPLAIN_DEVICES_UNKNOWN } from '../routing/availability.js';
import { DEFAULT_CONFIG_PATH, parseArgs, type CliIO, type Command } from './io.js';

const USAGE = 'usage: switchboard explain [--config FILE] --to NUMBER [--from NUMBER] [--at 2026-12-24T18:30] [--json]';

/** Exit 2 with one line on stderr (and optional further lines). */
function fail(io: CliIO, line: string, rest: string[] = []): number {
  io.stderr.write(`switchboard explain: ${line}\n${rest.map((r) => `${r}\n`).join('')}`);
  return 2;
}

/** The caller: null when withheld or absent; a present, non-withheld, invalid number is an error. */
function parseFrom(raw: string | undefined, country: string): string | null {
  if (raw === undefined || isWithheld(raw)) return null;
  return normalizeNumber(raw, country);
}

/** `switchboard explain`: exit 0 when a route was built, 2 for a bad config or number, 1 when the store fails. */
export const explainCommand: Command = async (argv, io) => {
  const { opts, positionals } = parseArgs(argv, ['json']);
  if (positionals.length > 0) return fail(io, `unexpected argument ${JSON.stringify(positionals[0])}`, [USAGE]);
  const rawTo = opts.get('to');
  if (rawTo === undefined || rawTo === '') return fail(io, '--to NUMBER is required', [USAGE]);

  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(opts.get('config') ?? DEFAULT_CONFIG_PATH, io.env, { cwd: io.cwd });
  } catch (err) {
    if (err instanceof ConfigError && err.issues.length > 0) {
      const [first, ...rest] = err.issues.map(formatConfigIssue);
      return fail(io, first!, rest);
    }
    if (err instanceof SwitchboardError) return fail(io, err.message.split('\n')[0]!);
    throw err;
  }
  const { config } = loaded;

  let to: string;
  let from: string | null;
  try {
    to = normalizeNumber(rawTo, config.defaultCountry);
  } catch (err) {
    if (err instanceof BadNumberError) return fail(io, `--to: ${err.message}`);
    throw err;
  }
  try {
    from = parseFrom(opts.get('from'), config.defaultCountry);
  } catch (err) {
    if (err instanceof BadNumberError) return fail(io, `--from: ${err.message}`);
    throw err;
  }

  // Without an offset, --at is the local time of the number's schedule (section 5).
  const schedule = config.schedules.find((s) => s.id === config.numbers.find((n) => n.number === to)?.schedule);
  const rawAt = opts.get('at');
  const at = rawAt === undefined ? Date.now() : parseAt(rawAt, schedule?.timezone ?? null);
  if (at === null) return fail(io, `--at: ${JSON.stringify(rawAt)} is not a time: write ISO 8601 such as 2026-12-24T18:30 (local to the schedule) or 2026-12-24T18:30Z`);
  const rawFrom = opts.get('from');
  const withheld = rawFrom === undefined || isWithheldCaller(rawFrom);

  let store: SwitchboardStore | null = null;
  try {
    store = await openStore(loaded);
    const overrides = new Map((await store.overrides.list()).map((o) => [o.scheduleId, o.state] as const));
    const blocked = new BlockList([...config.blocked, ...(await store.blocked.list()).map((b) => b.pattern)]);
    const configured = config.numbers.find((n) => n.number === to);
    if (blockDecision({ from, withheld }, configured, blocked).blocked) {
      // A blocked caller gets no CRM look-up: neither does its explanation.
      const { plan } = planRoute({ from, to, withheld }, config, { contact: null, cursors: new Map(), at, overrides, blocked });
      io.stdout.write(opts.has('json') ? `${JSON.stringify(planToJson(plan), null, 2)}\n` : formatPlanText(plan));
      return 0;
    }
    const lookup = config.contacts.lookup;
    // Look-up failures do not stop the explanation (the call would go on as unknown), but say why.
    const log = { warn: (obj: object, msg: string) => void io.stderr.write(`switchboard explain: warning: ${msg} ${JSON.stringify(obj)}\n`) };
    const crm = lookup ? createCrmLookup({ url: lookup.url, timeoutMs: lookup.timeoutMs }, log) : undefined;
    const users = new Set(config.users.map((u) => u.id));
    const contact = await resolveContact({ store, users, log, ...(crm ? { crm } : {}) }, from);
    const contactName = from ? ((await store.contacts.get(from))?.name ?? null) : null;
    // Peek, never take: explaining a call must not change who the next real call reaches.
    const cursors = await store.cursors.peek();
    // Availability as far as the store knows it: DND and the groups' history; no device states.
    const now = Date.now();
    const availability = { dnd: new Set((await store.dnd.list()).map((d) => d.userId)), history: historyView(await store.groupAnswers.load(now)), now };
    const { plan } = planRoute({ from, to, withheld }, config, { contact, cursors, availability, at, overrides, blocked, contactName });
    plan.trace.push(EXPLAIN_DEVICES_UNKNOWN);
    io.stdout.write(opts.has('json') ? `${JSON.stringify(planToJson(plan), null, 2)}\n` : formatPlanText(plan));
    return 0;
  } catch (err) {
    if (err instanceof SwitchboardError) {
      io.stderr.write(`switchboard explain: ${err.message.split('\n')[0]}\n`);
      return 1;
    }
    throw err;
  } finally {
    await store?.close().catch(() => undefined);
  }
};
