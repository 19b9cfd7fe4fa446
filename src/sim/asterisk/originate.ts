/**
 * Originate (POST /channels): creates the channel(s), then plays the dialled device's behaviour with the
 * event sequence a real Asterisk 22 produced: Dial "" -> RINGING -> ANSWER -> StasisStart for an answer
 * (traces a, g, p), BUSY / CONGESTION with the Local ;1 half destroyed with cause 0 (c, d1), SIP 486/603
 * (p), CHANUNAVAIL cause 3 (d2) and a dead contact timing out with cause 19 (d2).
 */
import type { SimChannel } from './channels.js';
import { parseCallerId } from './channels.js';
import type { SimCore } from './core.js';
import { runLocalContext } from './dialplan.js';
import { parseDialString, type DialTarget } from './endpoints.js';
import { ariTimestamp } from './clock.js';
import { answered } from './answer.js';
import type { PlayedBehaviour } from './types.js';
import type { KeyPress } from '../devices.js';
import { emitDtmf } from './media.js';

/** Validated originate parameters. */
export interface OriginateParams {
  endpoint: string;
  app?: string;
  appArgs?: string;
  context?: string;
  extension?: string;
  priority?: number;
  callerId?: string;
  /** Caller id given as fields (the simulator's own inbound calls: hostile text stays data). */
  caller?: { name: string; number: string };
  timeoutSec?: number;
  channelId?: string;
  otherChannelId?: string;
  variables?: Record<string, string>;
}

/** Result of an originate: the channel JSON, or the HTTP error Asterisk would answer. */
export type OriginateResult = { ok: true; channel: SimChannel } | { ok: false; status: number; body: Record<string, string> };

/** One step of a simulated Local ;2 dialplan (what the `[sim]` context of the reference set-up ran). */
export type LocalStep =
  | { app: 'Ringing' }
  | { app: 'Wait'; ms: number; data: string }
  | { app: 'Answer' }
  | { app: 'Busy' }
  | { app: 'Congestion' }
  | { app: 'Unavail'; dial: string }
  | { app: 'Hangup'; cause: number }
  | { app: 'SendDTMF'; key: string }
  | { app: 'Forever' };

/**
 * Asterisk 22's check of assigned ids (do_ids_conflict, channelstorage get_by_uniqueid) is a
 * case-insensitive PREFIX match: an id conflicts with every channel whose id starts with it. The
 * `;1` half exists when the `;2` half's id is checked, so `otherChannelId` may not be a prefix of
 * `channelId` either (found on the real Asterisk: `x-1` / `x-1-caller` works, `x-1-caller` /
 * `x-1` is refused with 409).
 */
export function idsConflict(existing: Iterable<string>, channelId?: string, otherChannelId?: string): boolean {
  const ids = [...existing].map((id) => id.toLowerCase());
  const taken = (id: string, also: string[] = []) => [...ids, ...also].some((e) => e.startsWith(id.toLowerCase()));
  if (channelId && taken(channelId)) return true;
  return !!otherChannelId && taken(otherChannelId, channelId ? [channelId.toLowerCase()] : []);
}

const ALLOC_FAILED = { ok: false as const, status: 500, body: { error: 'Allocation failed' } };

/** POST /channels. Records the request, allocates the channel and starts the device. */
export function originate(core: SimCore, p: OriginateParams): OriginateResult {
  const { pbx } = core;
  pbx.originates.push({ dial: p.endpoint, callerId: p.callerId ?? '', at: ariTimestamp(), app: p.app, context: p.context, extension: p.extension });
  const target = parseDialString(p.endpoint);
  if (!target) return { ok: false, status: 400, body: { message: 'Endpoint must be in the format tech/resource' } };
  if (idsConflict(pbx.channels.keys(), p.channelId, p.otherChannelId)) return { ok: false, status: 409, body: { message: 'Channel with given unique ID already exists' } };
  const caller = p.caller ?? parseCallerId(p.callerId);
  if (target.tech === 'PJSIP') return originatePjsip(core, p, target, caller);
  const program = localProgram(core, target);
  if (!program) return ALLOC_FAILED;
  const base = `Local/${target.resource}-${pbx.ids.nameSuffix('Local')}`;
  const dp = { context: target.where, exten: target.exten, priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' };
  const one = pbx.newChannel('Local', `${base};1`, 'originate', caller, dp, p.channelId);
  const two = pbx.newChannel('Local', `${base};2`, program.kind === 'trunk' ? 'dialplan' : 'internal', caller,
    { context: target.where, exten: target.exten, priority: 1, app_name: '', app_data: '' }, p.otherChannelId);
  one.partner = two;
  two.partner = one;
  two.state = 'Ring';
  applyVariables(one, p.variables);
  if (p.app) {
    // The app is subscribed to both halves of an originated Local channel from the start.
    one.subs.add(p.app);
    two.subs.add(p.app);
    one.dialing = { dialstring: target.resource, app: p.app, appArgs: splitArgs(p.appArgs), answered: false };
  } else {
    one.afterAnswer = () => runLocalContext(core, one, p.context ?? 'default', p.extension ?? 's');
  }
  pbx.sched.after(0, () => {
    if (one.destroyed) return;
    if (program.kind === 'trunk') {
      runLocalContext(core, two, target.where, target.exten);
    } else {
      pbx.emitChannel('ChannelCallerId', two, { caller_presentation: 0, caller_presentation_txt: 'Presentation Allowed, Not Screened' });
      pbx.emitChannel('ChannelConnectedLine', two);
      if (one.dialing) pbx.emitDial(one, '', target.resource);
      runSteps(core, one, two, program.steps, 0);
    }
  });
  armTimeout(core, one, p);
  return { ok: true, channel: one };
}

/** The originate/dial timeout: an unanswered target is given up (cause 19, as in trace d2). */
function armTimeout(core: SimCore, ch: SimChannel, p: OriginateParams): void {
  if (!ch.dialing) return;
  const sec = p.timeoutSec !== undefined && p.timeoutSec > 0 ? p.timeoutSec : core.settings.defaultOriginateTimeoutSec;
  core.pbx.later(ch, sec * 1000, () => {
    if (!ch.dialing || ch.dialing.answered) return;
    if (ch.tech === 'PJSIP' && ch.state === 'Down') {
      // A dead contact: INVITE retransmissions time out; Asterisk sends only ChannelDestroyed 19/480.
      ch.dialing = undefined;
      core.pbx.destroy(ch, 19, 480);
      return;
    }
    core.pbx.hangup(ch, { cause: 19, request: null });
  });
}

/** Steps for a Local target, or undefined when Asterisk could not allocate it. */
function localProgram(core: SimCore, t: DialTarget): { kind: 'trunk' } | { kind: 'steps'; steps: LocalStep[] } | undefined {
  const { contexts } = core.settings;
  const explicit = core.devices.explicit(`Local/${t.resource}`);
  if (explicit) return { kind: 'steps', steps: behaviourSteps(explicit) };
  if (t.where === contexts.trunk) return { kind: 'trunk' };
  if (t.where === contexts.sim) return { kind: 'steps', steps: simContextSteps(t.exten, core.settings.simTimeScale) };
  if (t.where === 'internal') {
    const b = core.devices.forPjsip(`PJSIP/${t.exten}`);
    return { kind: 'steps', steps: b.kind === 'unreachable' ? [{ app: 'Unavail', dial: `PJSIP/${t.exten},30` }] : behaviourSteps(b) };
  }
  const fallback = core.devices.defaultBehaviour();
  return fallback ? { kind: 'steps', steps: behaviourSteps(fallback) } : undefined;
}

/** The reference `[sim]` context: answer, answer-after-5, noanswer, busy, congestion, and _X. (rings 3 s). */
export function simContextSteps(exten: string, scale: number): LocalStep[] {
  const wait = (s: number): LocalStep => ({ app: 'Wait', ms: s * 1000 * scale, data: String(s) });
  switch (exten) {
    case 'answer': return [{ app: 'Answer' }];
    case 'answer-after-5': return [{ app: 'Ringing' }, wait(5), { app: 'Answer' }];
    case 'noanswer': return [{ app: 'Ringing' }, wait(120)];
    case 'busy': return [{ app: 'Busy' }];
    case 'congestion': return [{ app: 'Congestion' }];
    default: return /^\d+$/.test(exten) ? [{ app: 'Ringing' }, wait(3), { app: 'Answer' }] : [{ app: 'Hangup', cause: 1 }];
  }
}

/** A device behaviour played by the ;2 half of a Local channel. */
function behaviourSteps(b: PlayedBehaviour): LocalStep[] {
  const ring = (ms: number | undefined): LocalStep[] => (ms ? [{ app: 'Ringing' }, { app: 'Wait', ms, data: String(Math.ceil(ms / 1000)) }] : []);
  switch (b.kind) {
    case 'answer': return [...ring(b.afterMs), { app: 'Answer' }, ...press(b.press)];
    case 'noanswer': return [{ app: 'Ringing' }, { app: 'Forever' }];
    case 'busy': return [...ring(b.afterMs), { app: 'Busy' }];
    case 'congestion': return [...ring(b.afterMs), { app: 'Congestion' }];
    case 'rejected': return [...ring(b.afterMs), { app: 'Hangup', cause: 21 }];
    case 'unreachable': return [{ app: 'Unavail', dial: 'PJSIP/unreachable,30' }];
    case 'dead-contact': return [{ app: 'Forever' }];
    case 'hangup-after-answer':
      return [...ring(b.afterMs), { app: 'Answer' }, ...press(b.press), { app: 'Wait', ms: Math.max(0, b.talkMs - (b.press?.afterMs ?? 0)), data: String(Math.ceil(b.talkMs / 1000)) }, { app: 'Hangup', cause: 16 }];
  }
}

/** `Wait(s)` then `SendDTMF(key)` in the ;2 half: the key reaches the ;1 half in Stasis. */
function press(p: KeyPress | undefined): LocalStep[] {
  return p ? [{ app: 'Wait', ms: p.afterMs, data: String(p.afterMs / 1000) }, { app: 'SendDTMF', key: p.key }] : [];
}

/** Interpret the ;2 half's steps one by one (priority = step index + 1). */
function runSteps(core: SimCore, one: SimChannel, two: SimChannel, steps: LocalStep[], i: number): void {
  const { pbx } = core;
  const step = steps[i];
  if (!step || two.destroyed || two.hangingUp) return;
  const prio = i + 1;
  const next = () => runSteps(core, one, two, steps, i + 1);
  switch (step.app) {
    case 'Ringing': {
      pbx.runApp(two, 'Ringing', '', prio);
      pbx.setState(one, 'Ringing');
      const wait = steps[i + 1];
      // Asterisk reports the ;2 half's next app before the Dial RINGING of ;1 (traces a, b, e, f).
      if (wait?.app === 'Wait') {
        pbx.runApp(two, 'Wait', wait.data, prio + 1);
        if (one.dialing) pbx.emitDial(one, 'RINGING', one.dialing.dialstring);
        pbx.later(two, wait.ms, () => runSteps(core, one, two, steps, i + 2));
        return;
      }
      if (one.dialing) pbx.emitDial(one, 'RINGING', one.dialing.dialstring);
      return next();
    }
    case 'Wait':
      pbx.runApp(two, 'Wait', step.data, prio);
      pbx.later(two, step.ms, next);
      return;
    case 'Forever':
      return;
    case 'Answer':
      pbx.runApp(two, 'Answer', '', prio);
      pbx.setState(two, 'Up');
      answered(core, one);
      // Once bridged, the ;2 half's dialplan moves on and it learns the bridged caller (traces a, f, g).
      two.onBridged = (peer) => pbx.later(two, 5, () => {
        pbx.runApp(two, 'Wait', '30', prio + 1);
        two.caller = { ...peer.caller };
        pbx.emitChannel('ChannelCallerId', two, { caller_presentation: 0, caller_presentation_txt: 'Presentation Allowed, Not Screened' });
      });
      return next();
    case 'Busy':
    case 'Congestion': {
      const busy = step.app === 'Busy';
      pbx.runApp(two, step.app, '5', prio);
      pbx.setState(two, 'Busy');
      if (one.dialing) pbx.emitDial(one, busy ? 'BUSY' : 'CONGESTION', one.dialing.dialstring);
      one.dialing = undefined;
      two.hangingUp = true;
      one.hangingUp = true;
      pbx.emitChannel('ChannelHangupRequest', two, { cause: 0 });
      // Asterisk quirk: the ;1 half dies with cause 0 "Unknown"; only ;2 carries 17/34 (traces c, d1).
      if (busy) {
        pbx.emitChannel('ChannelHangupRequest', two, { cause: 16, soft: true });
        pbx.destroy(one, 0);
      } else {
        pbx.destroy(one, 0);
        pbx.emitChannel('ChannelHangupRequest', two, { cause: 16, soft: true });
      }
      pbx.destroy(two, busy ? 17 : 34);
      return;
    }
    case 'Unavail':
      return unavailable(core, one, two, step.dial, prio);
    case 'SendDTMF':
      pbx.runApp(two, 'SendDTMF', step.key, prio);
      emitDtmf(core, one, step.key);
      return next();
    case 'Hangup':
      pbx.runApp(two, 'Hangup', String(step.cause), prio);
      pbx.hangup(two, { cause: step.cause });
      return;
  }
}

/** `Dial(PJSIP/x)` to an unregistered phone inside a Local channel: CHANUNAVAIL, cause 3 (trace d2). */
function unavailable(core: SimCore, one: SimChannel, two: SimChannel, dial: string, prio: number): void {
  const { pbx } = core;
  pbx.runApp(two, 'Dial', dial, prio);
  for (const v of ['DIALSTATUS', 'DIALEDPEERNUMBER', 'DIALEDPEERNAME', 'ANSWEREDTIME', 'ANSWEREDTIME_MS', 'DIALEDTIME', 'DIALEDTIME_MS', 'RINGTIME', 'RINGTIME_MS', 'PROGRESSTIME', 'PROGRESSTIME_MS']) {
    pbx.setVar(two, v, '');
  }
  pbx.setVar(two, 'DIALSTATUS', 'CHANUNAVAIL');
  pbx.runApp(two, 'Hangup', '', prio + 1);
  two.hangingUp = true;
  one.hangingUp = true;
  pbx.emitChannel('ChannelHangupRequest', two, { cause: 16, soft: true });
  pbx.setVar(one, 'CHANLOCALSTATUS', 'CHANUNAVAIL');
  pbx.emitChannel('ChannelHangupRequest', one, { cause: 3 });
  pbx.destroy(two, 3);
  if (one.dialing) pbx.emitDial(one, 'CHANUNAVAIL', one.dialing.dialstring);
  one.dialing = undefined;
  pbx.destroy(one, 3);
}

/** PJSIP originate: the device answers, refuses with a SIP status, or never answers. */
function originatePjsip(core: SimCore, p: OriginateParams, t: DialTarget, caller: { name: string; number: string }): OriginateResult {
  const { pbx } = core;
  const b = core.devices.forPjsip(`PJSIP/${t.resource}`);
  // A phone that is not registered has no contact to send the INVITE to (trace d2).
  if (b.kind === 'unreachable' || (t.exten === t.where && !core.deviceStates.isRegistered(t.where))) return ALLOC_FAILED;
  const endpointName = t.where;
  const context = endpointName === core.settings.failsafe.trunkEndpoint ? core.settings.contexts.trunk : 'internal';
  const ch = pbx.newChannel('PJSIP', `PJSIP/${endpointName}-${pbx.ids.nameSuffix('PJSIP')}`, 'originate', caller,
    { context, exten: 's', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' }, p.channelId);
  ch.connected = { name: '', number: caller.number };
  applyVariables(ch, p.variables);
  if (p.app) {
    ch.subs.add(p.app);
    ch.dialing = { dialstring: t.resource, app: p.app, appArgs: splitArgs(p.appArgs), answered: false };
  } else {
    ch.dialing = { dialstring: t.resource, appArgs: [], answered: false };
    ch.afterAnswer = () => runLocalContext(core, ch, p.context ?? 'default', p.extension ?? 's');
  }
  pbx.sched.after(0, () => {
    if (ch.destroyed) return;
    pbx.emitDial(ch, '', t.resource);
    playPjsip(core, ch, b);
  });
  armTimeout(core, ch, p);
  return { ok: true, channel: ch };
}

/** What a SIP phone does after the INVITE. */
function playPjsip(core: SimCore, ch: SimChannel, b: PlayedBehaviour): void {
  const { pbx } = core;
  const afterMs = 'afterMs' in b ? b.afterMs ?? 0 : 0;
  const ring = () => {
    pbx.setState(ch, 'Ringing');
    if (ch.dialing) pbx.emitDial(ch, 'RINGING', ch.dialing.dialstring);
  };
  const refuse = (cause: number, sip: number, status: string) => {
    const d = ch.dialing;
    ch.hangingUp = true;
    pbx.emitChannel('ChannelHangupRequest', ch, { cause, tech_cause: sip });
    if (d) pbx.emitDial(ch, status, d.dialstring);
    ch.dialing = undefined;
    pbx.destroy(ch, cause, sip);
  };
  if (b.kind === 'noanswer') return ring();
  if (b.kind === 'dead-contact' || b.kind === 'unreachable') return;
  if (afterMs > 0) ring();
  pbx.later(ch, afterMs, () => {
    switch (b.kind) {
      case 'busy': return refuse(17, 486, 'BUSY');
      case 'rejected': return refuse(21, 603, 'NOANSWER');
      case 'congestion': return refuse(34, 503, 'CONGESTION');
      case 'answer':
        answered(core, ch);
        return pressKey(core, ch, b.press);
      case 'hangup-after-answer':
        answered(core, ch);
        pressKey(core, ch, b.press);
        // The phone sends BYE: ChannelHangupRequest without a cause (trace p).
        pbx.later(ch, b.talkMs, () => pbx.hangup(ch, { cause: 16, request: {} }));
        return;
    }
  });
}

function splitArgs(appArgs: string | undefined): string[] {
  return appArgs ? appArgs.split(',') : [];
}

function applyVariables(ch: SimChannel, vars: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(vars ?? {})) ch.vars.set(k, String(v));
}

/** The person who answered presses a key (RFC 2833 on a SIP phone) `afterMs` after the answer. */
function pressKey(core: SimCore, ch: SimChannel, p: KeyPress | undefined): void {
  if (p) core.pbx.later(ch, p.afterMs, () => emitDtmf(core, ch, p.key));
}
