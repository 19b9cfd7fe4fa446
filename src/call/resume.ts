/**
 * Finishing calls that a controller picked up again after a WebSocket reconnect or a restart
 * (wazo-calld's "process lost hangups", done from the stored call state):
 * - bridged: the two parties are still talking; track the call to its end;
 * - ringing or final: the legs were hung up by the backend; the caller goes to the final action;
 * - gone: the caller left while nobody was watching; the row is closed with what is known.
 */
import type { Logger } from '../log.js';
import type { AnsweredBy, CallControl, StoredCall } from './contract.js';
import { roundSeconds, type CallRecord } from './record.js';

export interface ResumeDeps {
  calls: {
    get(id: string): Promise<CallRecord | null>;
    upsert(record: CallRecord): Promise<void>;
    deleteState(id: string): Promise<void>;
  };
  log: Logger;
  now?: () => number;
}

/** Finish a call handed back by reconcile (`answeredBy`: as the PBX shows it). Never throws. */
export async function resumeCall(control: CallControl, stored: StoredCall, deps: ResumeDeps, answeredBy: AnsweredBy | null = null): Promise<CallRecord | null> {
  const log = deps.log.child({ channel: stored.id });
  const record = await deps.calls.get(stored.id).catch(() => null);
  if (!record) {
    log.warn('resumed call has no call-log row: nothing to finish');
    return null;
  }
  const now = deps.now ?? Date.now;
  try {
    if (stored.phase === 'bridged') {
      log.info('resumed a bridged call: tracking it to its end');
      const end = await control.waitBridgeEnd();
      record.outcome = 'answered';
      // The answer may not have reached the store before the old process died: the backend
      // found who is bridged with the caller.
      if (!record.answeredBy && answeredBy) record.answeredBy = answeredBy;
      if (record.answeredAt) record.talkSeconds = roundSeconds((now() - Date.parse(record.answeredAt)) / 1000);
      record.detail = `${end.by === 'transfer' ? `transferred to ${end.transferTo ?? 'unknown'}` : `ended by ${end.by}`} (resumed after a controller reconnect)`;
    } else if (control.callerGone) {
      record.outcome = 'abandoned';
      record.detail = 'caller left while the controller was reconnecting';
    } else if (stored.final.action === 'voicemail') {
      log.info({ mailbox: stored.final.mailbox }, 'resumed a ringing call: sending it to voicemail');
      await control.voicemail(stored.final.mailbox);
      record.outcome = 'voicemail';
      record.detail = `voicemail ${stored.final.mailbox} (resumed after a controller reconnect)`;
    } else {
      log.info('resumed a ringing call: no mailbox, hanging up');
      await control.hangup('no-route');
      record.outcome = 'dropped';
      record.detail = 'hung up (resumed after a controller reconnect)';
    }
  } catch (err) {
    log.error({ err: (err as Error).message }, 'resumed call failed');
    record.outcome = control.callerGone ? 'abandoned' : 'failed';
    record.detail = `resume failed: ${(err as Error).message}`;
  }
  return close(record, deps, now);
}

/** Close the row of a stored call whose caller is no longer on the PBX. */
export async function closeLostCall(stored: StoredCall, deps: ResumeDeps): Promise<CallRecord | null> {
  const record = await deps.calls.get(stored.id).catch(() => null);
  if (!record) {
    await deps.calls.deleteState(stored.id).catch(() => undefined);
    return null;
  }
  // The row was finished and the process died before its state was deleted (two writes): the
  // row is right as it is; only the leftover state goes.
  if (record.endedAt !== null && record.outcome !== null) {
    await deps.calls.deleteState(stored.id).catch(() => undefined);
    return record;
  }
  // Without a controller nobody bridges a ringing call, so its caller can only have hung up.
  record.outcome = stored.phase === 'bridged' ? 'answered' : stored.phase === 'final' ? (stored.final.action === 'voicemail' ? 'voicemail' : 'dropped') : 'abandoned';
  record.detail = `${record.detail ? `${record.detail}; ` : ''}ended while the controller was away (end time approximate)`;
  return close(record, deps, deps.now ?? Date.now);
}

async function close(record: CallRecord, deps: ResumeDeps, now: () => number): Promise<CallRecord> {
  record.endedAt = new Date(now()).toISOString();
  record.durationSeconds = roundSeconds((now() - Date.parse(record.startedAt)) / 1000);
  await deps.calls.upsert(record).catch((err) => deps.log.error({ err: (err as Error).message }, 'call log write failed'));
  await deps.calls.deleteState(record.id).catch(() => undefined);
  return record;
}
