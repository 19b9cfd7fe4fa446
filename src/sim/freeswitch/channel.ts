/**
 * A simulated FreeSWITCH channel: its state, caller profile and variables, and the header list
 * FreeSWITCH puts on every event about it (same names and order as the recordings, trimmed).
 */
import { randomUUID } from 'node:crypto';
import { q850Of } from '../../esl/causes.js';

export type AnswerState = 'ringing' | 'early' | 'answered' | 'hangup';
type Header = [string, string];

export const CORE_UUID = randomUUID();

/** One channel: the caller's controlled leg or a target leg the bridge created. */
export class SimChannel {
  readonly uuid: string;
  readonly name: string;
  readonly direction: 'inbound' | 'outbound';
  readonly callerNumber: string;
  readonly callerName: string;
  readonly destination: string;
  /** The caller hid the number (SIP Privacy: id): FreeSWITCH reports Caller-Privacy-Hide-Number true. */
  readonly hideNumber: boolean;
  readonly createdUs: number;
  answerState: AnswerState = 'ringing';
  /** CHANNEL_PROGRESS was sent: FreeSWITCH marks a channel ring-ready once (CF_RING_READY). */
  ringReady = false;
  callState: 'DOWN' | 'RINGING' | 'EARLY' | 'ACTIVE' | 'HANGUP' = 'DOWN';
  chanState = 'CS_INIT';
  hangupCause: string | null = null;
  /** The channel this one is bridged to, while bridged. */
  otherLeg: SimChannel | null = null;
  /** A confirming leg's `group_confirm_key=exec` sleep: `uuid_break` ends it, making the leg the winner. */
  onBreak: (() => void) | null = null;
  destroyed = false;
  readonly vars = new Map<string, string>();
  private readonly onHangup: Array<(cause: string) => void> = [];

  constructor(o: { uuid?: string; name: string; direction: 'inbound' | 'outbound'; callerNumber: string; callerName: string; destination: string; hideNumber?: boolean }) {
    this.uuid = o.uuid ?? randomUUID();
    this.name = o.name;
    this.direction = o.direction;
    this.callerNumber = o.callerNumber;
    this.callerName = o.callerName;
    this.destination = o.destination;
    this.hideNumber = o.hideNumber ?? false;
    this.createdUs = Date.now() * 1000;
    this.vars.set('direction', o.direction);
    this.vars.set('uuid', this.uuid);
    this.vars.set('channel_name', o.name);
    this.vars.set('call_uuid', this.uuid);
  }

  get up(): boolean {
    return this.hangupCause === null;
  }

  get answered(): boolean {
    return this.answerState === 'answered' || (this.hangupCause !== null && this.vars.has('answer_epoch'));
  }

  /** Run `fn` once when the channel hangs up (at once if it already has). */
  whenHungUp(fn: (cause: string) => void): () => void {
    if (this.hangupCause !== null) {
      fn(this.hangupCause);
      return () => {};
    }
    this.onHangup.push(fn);
    return () => {
      const i = this.onHangup.indexOf(fn);
      if (i >= 0) this.onHangup.splice(i, 1);
    };
  }

  /** Mark the channel down with `cause`; true if it was up. Events are the simulator's job. */
  markHungUp(cause: string): boolean {
    if (this.hangupCause !== null) return false;
    this.hangupCause = cause;
    this.answerState = 'hangup';
    this.vars.set('hangup_cause', cause);
    this.vars.set('hangup_cause_q850', String(q850Of(cause)));
    for (const fn of this.onHangup.splice(0)) fn(cause);
    return true;
  }

  /** The headers of an event about this channel: event, channel, caller profile, variables, extra. */
  eventHeaders(eventName: string, extra: Header[] = []): Header[] {
    const now = Date.now();
    const h: Header[] = [
      ['Event-Name', eventName],
      ['Core-UUID', CORE_UUID],
      ['FreeSWITCH-Hostname', 'sim'],
      ['FreeSWITCH-Switchname', 'sim'],
      ['Event-Date-Local', new Date(now).toISOString().replace('T', ' ').slice(0, 19)],
      ['Event-Date-GMT', new Date(now).toUTCString()],
      ['Event-Date-Timestamp', String(now * 1000)],
      ['Channel-State', this.chanState],
      ['Channel-Call-State', this.callState],
      ['Channel-Name', this.name],
      ['Unique-ID', this.uuid],
      ['Call-Direction', this.direction],
      ['Answer-State', this.answerState],
    ];
    const presence = this.vars.get('presence_id');
    if (presence) h.push(['Channel-Presence-ID', presence]);
    if (this.hangupCause) h.push(['Hangup-Cause', this.hangupCause]);
    h.push(
      ['Caller-Direction', this.direction],
      ['Caller-Caller-ID-Name', this.callerName],
      ['Caller-Caller-ID-Number', this.callerNumber],
      ['Caller-Privacy-Hide-Name', this.hideNumber ? 'true' : 'false'],
      ['Caller-Privacy-Hide-Number', this.hideNumber ? 'true' : 'false'],
      ['Caller-ANI', this.callerNumber],
      ['Caller-Destination-Number', this.destination],
      ['Caller-Unique-ID', this.uuid],
      ['Caller-Context', this.direction === 'inbound' ? 'public' : 'default'],
      ['Caller-Channel-Name', this.name],
      ['Caller-Channel-Created-Time', String(this.createdUs)],
    );
    if (this.otherLeg) h.push(['Other-Type', 'originatee'], ['Other-Leg-Unique-ID', this.otherLeg.uuid], ['Other-Leg-Channel-Name', this.otherLeg.name]);
    for (const [k, v] of this.vars) h.push([`variable_${k}`, v]);
    return h.concat(extra);
  }
}
