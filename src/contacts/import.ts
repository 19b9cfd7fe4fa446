/**
 * `importContacts`: stream a contacts CSV into the store. Bad rows are reported with their line
 * and skipped; good rows are upserted in batches, so a 1,000,000-row file runs in bounded memory.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BadNumberError, SwitchboardError } from '../errors.js';
import { normalizeNumber } from '../phone.js';
import type { ContactRow, SwitchboardStore as Store } from '../runtime/store.js';
import { physicalLines, RecordAssembler, type CsvItem } from './csv-records.js';

/** Where an import stands: data rows read, bytes parsed, file size. */
export interface ImportProgress {
  rows: number;
  bytes: number;
  totalBytes: number;
}

export interface ImportOptions {
  /** The configured user ids: an owner outside this set is a bad row. */
  users: ReadonlySet<string>;
  defaultCountry: string;
  onProgress?(p: ImportProgress): void;
  /** Rows per transaction (default 5000). */
  batchSize?: number;
}

/** A skipped row: its line in the file (1 = the header) and why. */
export interface RowError {
  line: number;
  reason: string;
}

export interface ImportSummary {
  /** Data rows read (good and bad; blank lines are not rows). */
  rows: number;
  /** Phones that were not stored before. */
  imported: number;
  /** Rows that updated a stored phone (or a phone seen earlier in the file). */
  updated: number;
  skipped: number;
  /** The first MAX_ERRORS_KEPT bad rows, in line order. */
  errors: RowError[];
  errorsTruncated: boolean;
  seconds: number;
}

export const REQUIRED_COLUMNS = ['phone', 'name', 'owner'] as const;
export const MAX_FIELD_LENGTH = 1000;
export const MAX_ERRORS_KEPT = 1000;
const PROGRESS_EVERY = 1000;
/** A line longer than this is one error, read past without being held (a quoted field may hold 1000 characters). */
export const MAX_LINE_BYTES = 1_000_000;

interface Header {
  phone: number;
  name: number;
  owner: number;
  names: string[];
  /** Extra columns kept as CRM fields: [index, name]. */
  extra: [number, string][];
}

function csvInvalid(file: string, message: string, details: Record<string, unknown> = {}): SwitchboardError {
  return new SwitchboardError('CSV_INVALID', `${file}: ${message}`, { file, ...details });
}

function readHeader(file: string, fields: string[], line: number): Header {
  const names = fields.map((f) => f.trim());
  const lower = names.map((n) => n.toLowerCase());
  const seen = new Set<string>();
  for (const n of lower) {
    if (n && seen.has(n)) throw csvInvalid(file, `line ${line}: column "${n}" appears twice in the header`, { line });
    seen.add(n);
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !seen.has(c));
  if (missing.length > 0) {
    throw csvInvalid(file, `line ${line}: the header has no ${missing.map((m) => `"${m}"`).join(', ')} column (found: ${names.join(', ') || 'nothing'})`, { line, missing });
  }
  const required = new Set<string>(REQUIRED_COLUMNS);
  const extra: [number, string][] = [];
  // A column with an empty name (a trailing comma in the header) has nothing to be called by: dropped.
  names.forEach((n, i) => {
    if (n && !required.has(n.toLowerCase())) extra.push([i, n]);
  });
  return { phone: lower.indexOf('phone'), name: lower.indexOf('name'), owner: lower.indexOf('owner'), names, extra };
}

/** A row to store, or the reason it is refused. */
function toContact(h: Header, fields: string[], opts: ImportOptions): ContactRow | string {
  if (fields.length !== h.names.length) return `expected ${h.names.length} fields, found ${fields.length}`;
  for (let i = 0; i < fields.length; i++) {
    if (fields[i]!.length > MAX_FIELD_LENGTH) return `field "${h.names[i]}" is longer than ${MAX_FIELD_LENGTH} characters`;
  }
  const rawPhone = fields[h.phone]!.trim();
  if (!rawPhone) return 'missing phone';
  let phone: string;
  try {
    phone = normalizeNumber(rawPhone, opts.defaultCountry);
  } catch (err) {
    const why = err instanceof BadNumberError ? String(err.details.reason) : 'not a phone number';
    return `bad phone ${JSON.stringify(rawPhone.slice(0, 40))}: ${why}`;
  }
  const owner = fields[h.owner]!.trim() || null;
  if (owner !== null && !opts.users.has(owner)) return `unknown owner ${JSON.stringify(owner.slice(0, 64))}`;
  const crm: Record<string, string> = {};
  for (const [i, name] of h.extra) {
    const v = fields[i]!.trim();
    if (v) crm[name] = v;
  }
  return { phone, name: fields[h.name]!.trim(), owner, fields: crm };
}

const isBlank = (fields: string[]) => fields.every((f) => f.trim() === '');

/** Import a contacts CSV (header row with phone, name, owner; other columns are CRM fields). Throws CSV_INVALID for an unreadable file or a bad header. */
export async function importContacts(store: Store, file: string, opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  let totalBytes: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw csvInvalid(file, 'is not a file');
    totalBytes = st.size;
  } catch (err) {
    if (err instanceof SwitchboardError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw csvInvalid(file, code === 'ENOENT' ? 'no such file' : `cannot read: ${code ?? String(err)}`, { reason: code ?? null });
  }
  const batchSize = Math.max(1, Math.trunc(opts.batchSize ?? 5000));
  const summary: ImportSummary = { rows: 0, imported: 0, updated: 0, skipped: 0, errors: [], errorsTruncated: false, seconds: 0 };
  const report = (line: number, reason: string) => {
    summary.skipped++;
    if (summary.errors.length < MAX_ERRORS_KEPT) summary.errors.push({ line, reason });
    else summary.errorsTruncated = true;
  };

  let header: Header | null = null;
  let batch: ContactRow[] = [];
  let bytes = 0;
  const progress = () => opts.onProgress?.({ rows: summary.rows, bytes: Math.min(bytes, totalBytes), totalBytes });
  const flush = async () => {
    if (batch.length === 0) return;
    const { inserted, updated } = await store.contacts.upsertBatch(batch);
    summary.imported += inserted;
    summary.updated += updated;
    batch = [];
  };
  const assembler = new RecordAssembler();
  const handle = async (item: CsvItem) => {
    if ('error' in item) {
      // A broken header surfaces below as a missing column; before it nothing is a row.
      if (!header) return;
      summary.rows++;
      return report(item.line, item.error);
    }
    if (isBlank(item.fields)) return;
    if (!header) {
      header = readHeader(file, item.fields, item.line);
      assembler.expectFields = header.names.length;
      return;
    }
    summary.rows++;
    const row = toContact(header, item.fields, opts);
    if (typeof row === 'string') report(item.line, row);
    else batch.push(row);
    if (batch.length >= batchSize) await flush();
    if (summary.rows % PROGRESS_EVERY === 0) progress();
  };

  try {
    for await (const line of physicalLines(createReadStream(file), MAX_LINE_BYTES)) {
      bytes += Buffer.byteLength(line.text) + line.eol.length;
      for (const item of assembler.push(line)) await handle(item);
    }
    for (const item of assembler.end()) await handle(item);
    await flush();
  } catch (err) {
    if (err instanceof SwitchboardError) throw err;
    throw csvInvalid(file, `cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!header) throw csvInvalid(file, 'the file is empty: expected a header row with phone, name, owner', { line: 1, missing: [...REQUIRED_COLUMNS] });
  progress();
  // A quote given up on is reported after the lines it held were read again: restore line order.
  summary.errors.sort((a, b) => a.line - b.line);
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
