/**
 * The demo's live table of calls. On a terminal it is redrawn in place; otherwise one line is
 * printed per call as it ends (so `npm start > log` stays readable).
 */
import type { CallRecord } from '../call/record.js';
import type { LegSpec } from '../call/contract.js';

export interface Row {
  n: number;
  title: string;
  from: string;
  to: string;
  expect: string;
  callId?: string;
  rules: string[];
  rang: string[];
  state: string;
  record?: CallRecord;
}

const COLS: [string, number][] = [
  ['#', 3],
  ['caller', 16],
  ['number', 13],
  ['rule', 24],
  ['who rang', 34],
  ['outcome', 40],
];

function cell(text: string, width: number): string {
  const clean = text.replace(/[\x00-\x1f\x7f]/g, '?');
  return clean.length > width ? `${clean.slice(0, width - 1)}…` : clean.padEnd(width);
}

/** One row as text. */
export function formatRow(r: Row): string {
  const outcome = r.record ? describeOutcome(r.record) : r.state;
  const values = [String(r.n), r.from, r.to, r.rules.join(' > ') || '-', r.rang.join(', ') || '-', outcome];
  return values.map((v, i) => cell(v, COLS[i]![1])).join('  ');
}

/** The header line and its underline. */
export function header(): string {
  const line = COLS.map(([name, w]) => cell(name, w)).join('  ');
  return `${line}\n${'-'.repeat(line.length)}`;
}

function describeOutcome(r: CallRecord): string {
  // An outside leg that answered without its key (section 8) is worth a word in the table.
  const unconfirmed = r.legs.filter((l) => l.result === 'unconfirmed').length;
  const also = unconfirmed ? `, ${unconfirmed} unconfirmed` : '';
  if (r.outcome === 'answered' && r.answeredBy) {
    const { user, device } = r.answeredBy;
    return (user ? `answered: ${user} (${device})` : `answered: ${device}`) + also;
  }
  if (r.outcome === 'voicemail') return `voicemail (${r.detail?.replace('voicemail ', '') ?? '?'})`;
  return r.outcome ?? 'unknown';
}

/** Who a set of legs rings, e.g. `alice/desk`. */
export function legNames(legs: readonly LegSpec[]): string[] {
  return legs.map((l) => `${l.user ?? l.device}/${l.user ? l.device : (l.number ?? l.endpoint)}`);
}

export class LiveTable {
  private lastLines = 0;
  private printed = new Set<number>();

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly rows: Row[],
  ) {}

  /** Draw the table (terminal) or print the rows that just finished (pipe). */
  render(): void {
    if (this.out.isTTY) {
      const text = `${header()}\n${this.rows.map(formatRow).join('\n')}\n`;
      if (this.lastLines) this.out.write(`\x1b[${this.lastLines}A\x1b[J`);
      this.out.write(text);
      this.lastLines = text.split('\n').length - 1;
      return;
    }
    if (this.printed.size === 0 && this.lastLines === 0) {
      this.out.write(`${header()}\n`);
      this.lastLines = 1;
    }
    for (const r of this.rows) {
      if (r.record && !this.printed.has(r.n)) {
        this.printed.add(r.n);
        this.out.write(`${formatRow(r)}\n`);
      }
    }
  }
}
