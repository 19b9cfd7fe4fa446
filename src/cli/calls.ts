/**
 * `switchboard calls --config F [--since T] [--limit N] [--json]`: the call log, newest first.
 * `--json` prints an array of CallRecord objects (spec section 3, with `node`: section 10);
 * otherwise a table. `--node NAME`: only the calls that controller handled.
 */
import type { CallRecord } from '../call/record.js';
import { loadConfig } from '../config/load.js';
import { ConfigError, formatConfigIssue, SwitchboardError } from '../errors.js';
import { openStore } from '../store/open.js';
import type { SwitchboardStore } from '../runtime/store.js';
import { DEFAULT_CONFIG_PATH, parseArgs, type Command } from './io.js';

const USAGE = 'usage: switchboard calls [--config FILE] [--since 2025-01-31T09:00Z|15m|2h|1d] [--limit N] [--node NAME] [--json]\n';
/** Rows in the table when no --limit is given (the JSON form prints everything asked for). */
const DEFAULT_TABLE_LIMIT = 100;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: ISO 8601 (`2025-01-31`, `2025-01-31T09:00:00Z`) or relative to `now` (`15m`, `2h`, `1d`). Null when unreadable. */
export function parseSince(text: string, now: Date = new Date()): Date | null {
  const rel = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  // `999999999w` is before any date a Date can hold (it was "Invalid time value", exit 1).
  if (rel) return valid(new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!]!));
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return null;
  const t = Date.parse(text.trim());
  return Number.isNaN(t) ? null : valid(new Date(t));
}

function valid(d: Date): Date | null {
  return Number.isNaN(d.getTime()) ? null : d;
}

function time(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '-';
  const total = Math.round(s);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** The call log as an aligned text table. */
export function formatCallTable(calls: readonly CallRecord[]): string {
  const head = ['TIME', 'FROM', 'TO', 'RULES', 'ANSWERED BY', 'OUTCOME', 'DURATION'];
  const rows = calls.map((c) => [
    time(c.startedAt),
    c.from ?? 'withheld',
    c.to,
    c.rules.length > 0 ? c.rules.join(',') : '-',
    c.answeredBy ? `${c.answeredBy.user ?? '-'}/${c.answeredBy.device}` : '-',
    c.outcome ?? 'in progress',
    duration(c.durationSeconds),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** Print the call log. Exit 0, 2 for bad usage or config, 1 when the store fails. */
export const callsCommand: Command = async (argv, io) => {
  const { opts, positionals } = parseArgs(argv, ['json']);
  const unknown = [...opts.keys()].filter((k) => !['config', 'since', 'limit', 'node', 'json'].includes(k));
  if (unknown.length > 0 || positionals.length > 0 || opts.get('config') === '') {
    io.stderr.write(USAGE);
    return 2;
  }
  const sinceText = opts.get('since');
  const since = sinceText === undefined ? undefined : parseSince(sinceText);
  if (since === null) {
    io.stderr.write(`switchboard calls: --since ${JSON.stringify(sinceText)}: expected an ISO 8601 time or 15m / 2h / 1d\n`);
    return 2;
  }
  const limitText = opts.get('limit');
  const limit = limitText === undefined ? undefined : /^\d{1,9}$/.test(limitText) ? Number(limitText) : NaN;
  if (limit !== undefined && !(limit > 0)) {
    io.stderr.write(`switchboard calls: --limit ${JSON.stringify(limitText)}: expected a positive whole number\n`);
    return 2;
  }
  const node = opts.get('node');
  if (node === '') {
    io.stderr.write(USAGE);
    return 2;
  }
  const json = opts.has('json');
  let store: SwitchboardStore | undefined;
  try {
    const loaded = await loadConfig(opts.get('config') ?? DEFAULT_CONFIG_PATH, io.env, { cwd: io.cwd });
    store = await openStore(loaded);
    const calls = await store.calls.list({ since, limit: limit ?? (json ? undefined : DEFAULT_TABLE_LIMIT), ...(node !== undefined ? { node } : {}) });
    if (json) io.stdout.write(`${JSON.stringify(calls, null, 2)}\n`);
    else if (calls.length === 0) io.stdout.write('no calls\n');
    else io.stdout.write(formatCallTable(calls));
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const issue of err.issues) io.stderr.write(`${formatConfigIssue(issue)}\n`);
      return 2;
    }
    const message = err instanceof SwitchboardError ? err.message : err instanceof Error ? err.message : String(err);
    io.stderr.write(`switchboard calls: ${message}\n`);
    return 1;
  } finally {
    await store?.close();
  }
};
