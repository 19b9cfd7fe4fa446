/** The report of `switchboard simulate`: a table (docs/docker.md lists its columns) or JSON. */
import type { CallRecord } from '../call/record.js';
import type { ExpectationResult } from './expect.js';
import { formatAnsweredBy } from './expect.js';
import type { CallResult } from './runner.js';

/** One element of `--json`. */
export interface JsonResult {
  name: string;
  callId: string | null;
  record: CallRecord | null;
  expectation: ExpectationResult;
}

/** The `--json` array. */
export function toJsonReport(results: readonly CallResult[]): JsonResult[] {
  return results.map((r) => ({ name: r.call.name, callId: r.callId, record: r.record, expectation: r.expectation }));
}

/** `alice/desk:answered bob/desk:busy`: every leg rung, in order, with its result. */
export function formatLegs(record: CallRecord | null): string {
  if (!record || record.legs.length === 0) return '-';
  return record.legs.map((l) => `${formatAnsweredBy(l)}:${l.result}`).join(' ');
}

/** The aligned table, one row per call, then a summary line. */
export function formatReportTable(results: readonly CallResult[]): string {
  const head = ['name', 'to', 'from', 'rules', 'legs', 'answeredBy', 'outcome', 'result'];
  const rows = results.map(({ call, record, expectation }) => [
    call.name,
    call.to,
    call.from === '' ? 'withheld' : call.from,
    record && record.rules.length > 0 ? record.rules.join(',') : '-',
    formatLegs(record),
    formatAnsweredBy(record?.answeredBy),
    record?.outcome ?? (record ? 'in progress' : '-'),
    expectation.ok ? 'ok' : `FAIL: ${expectation.mismatches.join('; ')}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const lines = [head, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  const failed = results.filter((r) => !r.expectation.ok).length;
  lines.push('', failed === 0 ? `${results.length} calls: all as expected` : `${results.length} calls: ${failed} FAILED`);
  return `${lines.join('\n')}\n`;
}
