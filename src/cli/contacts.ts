/**
 * `switchboard contacts import --config F FILE.csv` and `switchboard contacts lookup --config F PHONE`.
 * Exit 0 when the command ran (an import with skipped rows included), 2 for bad usage, config,
 * file, header or number, 1 for a store failure.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { importContacts, type ImportProgress, type ImportSummary } from '../contacts/import.js';
import { SwitchboardError } from '../errors.js';
import { normalizeNumber } from '../phone.js';
import { openStore } from '../store/open.js';
import type { SwitchboardStore } from '../runtime/store.js';
import { DEFAULT_CONFIG_PATH, parseArgs, type CliIO, type Command } from './io.js';
import { loadOrReport } from './load-or-report.js';

const USAGE =
  'usage: switchboard contacts import [--config FILE] [--json] FILE.csv\n' +
  '       switchboard contacts lookup [--config FILE] [--json] PHONE\n';
/** Bad rows printed after an import; the rest are counted. */
const MAX_PRINTED_ERRORS = 50;

type Out = CliIO['stdout'];

/** One line on stderr; 2 for bad input (a bad number or CSV), 1 for anything else (the store, a bug). */
function fail(io: CliIO, sub: string, err: unknown): number {
  const message = err instanceof SwitchboardError ? err.message : err instanceof Error ? err.message : String(err);
  io.stderr.write(`switchboard contacts ${sub}: ${message}\n`);
  return err instanceof SwitchboardError && (err.code === 'CSV_INVALID' || err.code === 'BAD_NUMBER') ? 2 : 1;
}

const int = (n: number) => n.toLocaleString('en-US');

/** A progress display: a redrawn bar on a terminal (at most 10 frames a second), else a line per 100k rows. */
export function progressReporter(stderr: Out, now: () => number = Date.now): { update(p: ImportProgress): void; done(): void } {
  const started = now();
  let lastDraw = 0;
  let lastLine = 0;
  let drawn = false;
  const rate = (rows: number) => int(Math.round(rows / Math.max(0.001, (now() - started) / 1000)));
  return {
    update(p) {
      const pct = p.totalBytes > 0 ? Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100)) : 100;
      if (stderr.isTTY) {
        const t = now();
        if (drawn && t - lastDraw < 100) return;
        lastDraw = t;
        drawn = true;
        const filled = Math.round(pct / 5);
        stderr.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${String(pct).padStart(3)}%  ${int(p.rows)} rows  ${rate(p.rows)} rows/s`);
      } else if (p.rows >= lastLine + 100_000) {
        lastLine = p.rows - (p.rows % 100_000);
        stderr.write(`contacts import: ${int(p.rows)} rows (${pct}%), ${rate(p.rows)} rows/s\n`);
      }
    },
    done() {
      if (drawn) stderr.write('\r\x1b[K');
    },
  };
}

function printSummary(out: Out, shownName: string, s: ImportSummary): void {
  out.write(
    `${shownName}: ${int(s.rows)} rows: ${int(s.imported)} new, ${int(s.updated)} updated, ${int(s.skipped)} skipped (${s.seconds.toFixed(1)}s)\n`,
  );
  const shown = s.errors.slice(0, MAX_PRINTED_ERRORS);
  for (const e of shown) out.write(`${shownName}:${e.line}: ${e.reason}\n`);
  if (s.skipped > shown.length) out.write(`... and ${int(s.skipped - shown.length)} more\n`);
}

async function importCmd(io: CliIO, loaded: LoadedConfig, csv: string, json: boolean): Promise<number> {
  const absolute = path.resolve(io.cwd, csv);
  try {
    if (!(await stat(absolute)).isFile()) throw new Error('not a file');
  } catch (err) {
    io.stderr.write(`switchboard contacts import: ${csv}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot read it'}\n`);
    return 2;
  }
  const store = await openStore(loaded);
  const progress = progressReporter(io.stderr);
  try {
    const summary = await importContacts(store, absolute, {
      users: new Set(loaded.config.users.map((u) => u.id)),
      defaultCountry: loaded.config.defaultCountry,
      onProgress: (p) => progress.update(p),
    });
    progress.done();
    if (json) io.stdout.write(`${JSON.stringify({ file: csv, ...summary })}\n`);
    else printSummary(io.stdout, csv, summary);
    return 0;
  } catch (err) {
    progress.done();
    // importContacts names the absolute path: show the admin the name they typed.
    if (err instanceof SwitchboardError && err.code === 'CSV_INVALID') {
      io.stderr.write(`switchboard contacts import: ${err.message.split(absolute).join(csv)}\n`);
      return 2;
    }
    throw err;
  } finally {
    await store.close();
  }
}

/**
 * Text from a CSV, as the terminal may show it: one with a line break or a control character (an
 * escape sequence that recolours, moves the cursor or retitles the window; C1 controls too) is
 * printed quoted, with those characters escaped.
 */
export function printable(text: string): string {
  if (!/[\x00-\x1f\x7f-\x9f]/.test(text)) return text;
  return JSON.stringify(text).replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

async function lookupCmd(io: CliIO, loaded: LoadedConfig, raw: string, json: boolean): Promise<number> {
  const phone = normalizeNumber(raw, loaded.config.defaultCountry);
  const store = await openStore(loaded);
  try {
    const contact = await store.contacts.get(phone);
    if (json) {
      io.stdout.write(`${JSON.stringify(contact)}\n`);
      return 0;
    }
    if (!contact) {
      io.stdout.write(`${phone}: unknown caller\n`);
      return 0;
    }
    const known = contact.owner === null || loaded.config.users.some((u) => u.id === contact.owner);
    const lines = [
      `phone: ${contact.phone}`,
      `name: ${printable(contact.name)}`,
      `owner: ${contact.owner === null ? '(none)' : printable(contact.owner)}${known ? '' : ' (not a configured user)'}`,
      ...Object.entries(contact.fields).map(([k, v]) => `${printable(k)}: ${printable(v)}`),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/** `switchboard contacts import|lookup`. */
export const contactsCommand: Command = async (argv, io) => {
  const [sub, ...rest] = argv;
  const { opts, positionals } = parseArgs(rest, ['json']);
  const unknown = [...opts.keys()].filter((k) => k !== 'config' && k !== 'json');
  if ((sub !== 'import' && sub !== 'lookup') || unknown.length > 0 || positionals.length !== 1 || opts.get('config') === '') {
    io.stderr.write(USAGE);
    return 2;
  }
  const json = opts.has('json');
  try {
    const loaded = await loadOrReport(opts.get('config') ?? DEFAULT_CONFIG_PATH, io);
    if (!loaded) return 2;
    return sub === 'import' ? await importCmd(io, loaded, positionals[0]!, json) : await lookupCmd(io, loaded, positionals[0]!, json);
  } catch (err) {
    return fail(io, sub, err);
  }
};
