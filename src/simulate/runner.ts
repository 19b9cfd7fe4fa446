/**
 * Run a scenario: place each call on ARI as a carrier would, hang the caller up when the scenario
 * says, and wait for the controller's call-log row to get its outcome.
 *
 * No ARI WebSocket: the call log already says what happened (rules, legs, who answered, outcome),
 * and the ids of both Local halves are chosen by us (see SimulateAri.originateInbound), so events
 * would add nothing but a Stasis app of our own and one more of Asterisk's 100 HTTP sessions.
 */
import { randomUUID } from 'node:crypto';
import type { CallRecord } from '../call/record.js';
import { SwitchboardError } from '../errors.js';
import type { SimulateAri } from './ari.js';
import { checkExpectation, type ExpectationResult } from './expect.js';
import type { Scenario, ScenarioCall } from './scenario.js';

/** What happened to one scenario call. */
export interface CallResult {
  call: ScenarioCall;
  /** The call-log id (the `;2` channel's id); null when the call could not be placed. */
  callId: string | null;
  record: CallRecord | null;
  expectation: ExpectationResult;
}

export interface RunnerOptions {
  trunkContext: string;
  callerContext: string;
  /** Per call, from placing it: how long to wait for its outcome in the call log. */
  timeoutMs: number;
  /** How often to read the call log (the controller is another process: there is nothing to await). */
  pollMs?: number;
  /** A call that vanished from Asterisk without a row gets this long for the controller's write. */
  missingRowGraceMs?: number;
}

export interface RunnerDeps {
  ari: SimulateAri;
  /** The call log the controller writes. */
  calls: { get(id: string): Promise<CallRecord | null> };
  options: RunnerOptions;
  /** Told as each call finishes (progress output). */
  onResult?: (result: CallResult, index: number) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Run every call. A call with `at` starts that many seconds after the run starts; a call without
 * waits for the call before it (in file order) to finish. Results come back in file order.
 */
export async function runScenario(scenario: Scenario, deps: RunnerDeps): Promise<CallResult[]> {
  const runId = `simulate-${randomUUID().slice(0, 8)}`;
  const t0 = Date.now();
  let previous: Promise<unknown> = Promise.resolve();
  const all = scenario.calls.map((call, i) => {
    const start = call.at !== undefined ? sleep(Math.max(0, t0 + call.at * 1000 - Date.now())) : previous;
    const p = start
      .then(() =>
        // Asterisk matches assigned ids by prefix: no id may be the start of another (`x-1` /
        // `x-1-caller` was refused with HTTP 409 on the real Asterisk, `x-1` / `x-10` could be).
        runCall(call, `${runId}-${i + 1}-in`, `${runId}-${i + 1}-pstn`, deps))
      .then((r) => {
        deps.onResult?.(r, i);
        return r;
      });
    previous = p;
    return p;
  });
  return Promise.all(all);
}

async function runCall(call: ScenarioCall, id: string, callerId: string, deps: RunnerDeps): Promise<CallResult> {
  const { ari, options } = deps;
  const fail = (callId: string | null, record: CallRecord | null, why: string): CallResult => ({
    call, callId, record, expectation: { ok: false, mismatches: [why] },
  });
  try {
    await ari.originateInbound({
      to: call.to, from: call.from, trunkContext: options.trunkContext, callerContext: options.callerContext,
      callerChannelId: callerId, callChannelId: id, timeoutSec: options.timeoutMs / 1000,
    });
  } catch (err) {
    return fail(null, null, `cannot place the call: ${message(err)}`);
  }
  let hangupTimer: NodeJS.Timeout | undefined;
  if (call.hangupAfterSeconds !== undefined) {
    // The PSTN caller hangs up: DELETE its ;1 half, as the reference traces do. A 404 means the call already ended.
    hangupTimer = setTimeout(() => void ari.hangup(callerId).catch(() => undefined), call.hangupAfterSeconds * 1000);
  }
  try {
    const record = await waitForOutcome(id, deps);
    if (record?.outcome) return { call, callId: id, record, expectation: checkExpectation(call.expect, record) };
    const why = record
      ? `no outcome in the call log within ${options.timeoutMs / 1000} s`
      : `no call-log row for channel ${id}: did the controller (with this config's store) take the call?`;
    return fail(id, record, why);
  } catch (err) {
    return fail(id, null, message(err));
  } finally {
    clearTimeout(hangupTimer);
    // Leave nothing behind: a call still up at the deadline is hung up (a 404 is the normal case).
    await ari.hangup(callerId).catch(() => undefined);
  }
}

/** Poll the call log until the row has an outcome, the deadline passes, or the call vanished without a row. */
async function waitForOutcome(id: string, deps: RunnerDeps): Promise<CallRecord | null> {
  const { options } = deps;
  const pollMs = options.pollMs ?? 100;
  const deadline = Date.now() + options.timeoutMs;
  const grace = options.missingRowGraceMs ?? 3000;
  let goneSince: number | null = null;
  let lastCheck = 0;
  let record: CallRecord | null = null;
  for (;;) {
    record = await deps.calls.get(id);
    if (record?.outcome) return record;
    const now = Date.now();
    if (now >= deadline) return record;
    if (!record && now - lastCheck >= 1000) {
      // Without a row, check about once a second whether the call still exists: when Stasis()
      // fails (no controller connected) Asterisk takes the dialplan's fail-safe route and no row
      // ever comes, so waiting out the whole timeout would only hide the cause.
      lastCheck = now;
      const alive = (await deps.ari.channel(id).catch(() => ({}))) !== null;
      goneSince = alive ? null : (goneSince ?? now);
      if (goneSince !== null && now - goneSince >= grace) return null;
    }
    await sleep(pollMs);
  }
}

function message(err: unknown): string {
  if (err instanceof SwitchboardError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
