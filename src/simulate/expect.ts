/** Compare a call-log row with what the scenario expected. Pure. */
import type { CallRecord } from '../call/record.js';
import type { Expectation } from './scenario.js';

/** Whether a call went as expected, and every way it did not. */
export interface ExpectationResult {
  ok: boolean;
  mismatches: string[];
}

/** `alice/desk`, `-/company` for an outside number, `-` for nobody. */
export function formatAnsweredBy(a: { user: string | null; device: string } | null | undefined): string {
  return a ? `${a.user ?? '-'}/${a.device}` : '-';
}

/**
 * Check `record` against `expect`. A missing row or a call that never ended is always a
 * mismatch, even with no `expect`: the controller did not log the call.
 */
export function checkExpectation(expect: Expectation | undefined, record: CallRecord | null): ExpectationResult {
  if (!record) return { ok: false, mismatches: ['no call-log row for this call'] };
  if (record.outcome === null) return { ok: false, mismatches: ['the call did not end (no outcome in the call log)'] };
  const mismatches: string[] = [];
  if (expect?.outcome !== undefined && expect.outcome !== record.outcome) {
    mismatches.push(`outcome: expected ${expect.outcome}, got ${record.outcome}`);
  }
  if (expect?.answeredBy !== undefined) {
    const want = expect.answeredBy;
    const got = record.answeredBy;
    const same = want === null ? got === null : got !== null && got.user === want.user && got.device === want.device;
    if (!same) mismatches.push(`answeredBy: expected ${formatAnsweredBy(want)}, got ${formatAnsweredBy(got)}`);
  }
  if (expect?.rules !== undefined && expect.rules.join(',') !== record.rules.join(',')) {
    mismatches.push(`rules: expected [${expect.rules.join(', ')}], got [${record.rules.join(', ')}]`);
  }
  if (expect?.legs !== undefined && expect.legs !== record.legs.length) {
    mismatches.push(`legs: expected ${expect.legs}, got ${record.legs.length}`);
  }
  return { ok: mismatches.length === 0, mismatches };
}
