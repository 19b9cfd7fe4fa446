/**
 * The `bridge` application: ring target legs (simultaneous `,`, sequential `|`), bridge the first to
 * answer, and leave on the controlled leg the result variables the recordings show
 * (originate_disposition, DIALSTATUS, originate_failed_cause, last_bridge_hangup_cause,
 * bridge_hangup_cause ...). A failure hangs the caller up unless continue_on_fail (surprise 1).
 */
import { randomUUID } from 'node:crypto';
import type { AppRunner } from './host.js';
import { SimChannel } from './channel.js';
import { parseBridgeArg, type LegDial } from './dialstring.js';
import { answer } from './answer.js';
import { dialStatusOf } from '../../esl/causes.js';
import { holdForConfirm } from './confirm.js';
import { directoryUserOf, markUserLeg } from './registrations.js';

const DEFAULT_ORIGINATE_TIMEOUT_S = 60;

interface RingLeg {
  dial: LegDial;
  ch: SimChannel | null;
  cause: string | null;
  timers: NodeJS.Timeout[];
}

type GroupResult = { kind: 'answered'; winner: RingLeg } | { kind: 'failed'; cause: string } | { kind: 'cancelled' };

/** Run `bridge <arg>` on the runner's channel; resolves when the app would return. */
export async function runBridge(runner: AppRunner, arg: string): Promise<void> {
  const { sim, ch } = runner;
  sim.recordDial(arg);
  const dial = parseBridgeArg(arg);
  const all: RingLeg[] = [];
  let result: GroupResult = { kind: 'failed', cause: 'INVALID_NUMBER_FORMAT' };
  for (const group of dial.groups) {
    if (!ch.up) break;
    result = await ringGroup(runner, group, all);
    if (result.kind !== 'failed') break;
  }
  const legsVar = all.filter((l) => l.ch).map((l) => `${l.ch!.uuid};Outbound Call;${l.ch!.destination}`);
  if (legsVar.length) ch.vars.set('originated_legs', arrayVar(legsVar));
  ch.vars.set('originate_causes', arrayVar(all.filter((l) => l.ch).map((l) => `${l.ch!.uuid};${l.cause ?? 'NONE'}`)));

  if (result.kind === 'answered') {
    await bridged(runner, result.winner, all);
    return;
  }
  const cause = result.kind === 'cancelled' ? 'ORIGINATOR_CANCEL' : result.cause;
  ch.vars.set('originate_disposition', cause);
  ch.vars.set('DIALSTATUS', dialStatusOf(cause));
  ch.vars.set('originate_failed_cause', cause);
  // last_bridge_hangup_cause is set only when a leg channel existed (absent in d3 and e).
  const lastLeg = [...all].reverse().find((l) => l.ch && l.cause && l.cause !== 'ORIGINATOR_CANCEL');
  if (lastLeg?.cause) ch.vars.set('last_bridge_hangup_cause', lastLeg.cause);
  if (ch.up && !continueOnFail(ch.vars.get('continue_on_fail'), cause)) sim.hangupChannel(ch, cause);
}

/** Does continue_on_fail (true, or a list of cause names) keep the caller up after `cause`? */
function continueOnFail(v: string | undefined, cause: string): boolean {
  // Surprise 1: these never hang the caller up, with or without continue_on_fail.
  if (['NO_ANSWER', 'NO_USER_RESPONSE', 'ORIGINATOR_CANCEL'].includes(cause)) return true;
  if (!v) return false;
  if (v === 'true') return true;
  return v.split(',').map((s) => s.trim()).includes(cause);
}

function arrayVar(items: string[]): string {
  return items.length === 1 ? (items[0] as string) : 'ARRAY::' + items.join('|:');
}

/** Ring one group of legs at once until one answers, all fail, or the caller leaves. */
function ringGroup(runner: AppRunner, group: LegDial[], all: RingLeg[]): Promise<GroupResult> {
  const { sim, ch: caller } = runner;
  return new Promise((resolve) => {
    const legs: RingLeg[] = [];
    let done = false;
    let lastCause = 'NORMAL_CLEARING';
    const finish = (r: GroupResult) => {
      if (done) return;
      done = true;
      offCaller();
      for (const l of legs) for (const t of l.timers) sim.cancel(t);
      resolve(r);
    };
    const endLeg = (l: RingLeg, cause: string) => {
      if (l.cause) return;
      l.cause = cause;
      for (const t of l.timers) sim.cancel(t);
      if (l.ch) sim.hangupChannel(l.ch, cause);
    };
    const failed = (l: RingLeg, cause: string) => {
      if (done || l.cause) return;
      endLeg(l, cause);
      lastCause = cause;
      if (legs.every((x) => x.cause)) finish({ kind: 'failed', cause: lastCause });
    };
    const answered = (l: RingLeg) => {
      if (done || l.cause || !l.ch) return;
      for (const t of l.timers) sim.cancel(t);
      l.ch.answerState = 'answered';
      l.ch.callState = 'ACTIVE';
      sim.emitEvent(l.ch, 'CHANNEL_ANSWER');
      // group_confirm_key=exec (switch_ivr_originate.c): the leg runs its confirm app before it can win.
      // mod_loopback moves group_confirm_* to the pair's other half (channel_on_init): a loopback leg
      // wins on answer, as recorded on the real 1.10.12.
      if (l.dial.vars.group_confirm_key === 'exec' && !l.dial.target.startsWith('loopback/')) return holdForConfirm(sim, l.ch, l.dial.vars, sim.deviceFor(l.dial.target) ?? undefined, l.timers, { win: () => win(l), fail: (c) => failed(l, c) });
      win(l);
    };
    const win = (l: RingLeg) => {
      if (done || l.cause || !l.ch) return;
      for (const t of l.timers) sim.cancel(t);
      for (const other of legs) if (other !== l && !other.cause) endLeg(other, 'LOSE_RACE');
      finish({ kind: 'answered', winner: l });
    };
    const offCaller = caller.whenHungUp(() => {
      for (const l of legs) endLeg(l, 'ORIGINATOR_CANCEL');
      finish({ kind: 'cancelled' });
    });

    for (const dial of group) {
      const l: RingLeg = { dial, ch: null, cause: null, timers: [] };
      legs.push(l);
      all.push(l);
    }
    let ringing = false;
    for (const l of legs) {
      const behaviour = sim.deviceFor(l.dial.target);
      const vars = l.dial.vars;
      if (!behaviour || behaviour.kind === 'unreachable') {
        // No channel at all: FreeSWITCH fails the leg before creating it (d3, u4).
        queueMicrotask(() => failed(l, 'USER_NOT_REGISTERED'));
        continue;
      }
      const ch = new SimChannel({
        uuid: vars.origination_uuid && !sim.getChannel(vars.origination_uuid) ? vars.origination_uuid : randomUUID(),
        name: channelNameOf(l.dial.target),
        direction: 'outbound',
        callerNumber: vars.origination_caller_id_number ?? vars.effective_caller_id_number ?? caller.callerNumber,
        callerName: vars.origination_caller_id_name ?? vars.effective_caller_id_name ?? caller.callerName,
        destination: l.dial.target.split('/').pop() ?? l.dial.target,
      });
      for (const [k, v] of Object.entries(vars)) ch.vars.set(k, v);
      const user = directoryUserOf(l.dial.target);
      if (user !== null) markUserLeg(ch, user);
      l.ch = ch;
      sim.addChannel(ch);
      sim.emitEvent(ch, 'CHANNEL_CREATE');
      // Hung up from outside while it rings or confirms (uuid_kill): the leg is over with that cause.
      ch.whenHungUp((cause) => failed(l, cause));
      const legTimeout = Number(vars.leg_timeout);
      const callTimeout = Number(vars.call_timeout ?? vars.originate_timeout);
      if (legTimeout > 0) l.timers.push(sim.later(legTimeout * 1000, () => failed(l, 'ALLOTTED_TIMEOUT')));
      else l.timers.push(sim.later((callTimeout > 0 ? callTimeout : DEFAULT_ORIGINATE_TIMEOUT_S) * 1000, () => failed(l, 'NO_ANSWER')));
      switch (behaviour.kind) {
        case 'answer':
          ring(ch);
          ringing = true;
          l.timers.push(sim.later(behaviour.afterMs, () => answered(l)));
          if (behaviour.talkMs !== undefined && vars.group_confirm_key !== 'exec') ch.vars.set('sim_talk_ms', String(behaviour.talkMs));
          break;
        case 'noanswer':
          ring(ch);
          ringing = true;
          break;
        case 'dead-contact':
          break;
        case 'busy':
          l.timers.push(sim.later(behaviour.afterMs ?? 0, () => failed(l, 'USER_BUSY')));
          break;
        case 'congestion':
          l.timers.push(sim.later(behaviour.afterMs ?? 0, () => failed(l, 'NORMAL_TEMPORARY_FAILURE')));
          break;
        case 'rejected':
          l.timers.push(sim.later(behaviour.afterMs ?? 0, () => failed(l, 'CALL_REJECTED')));
          break;
      }
    }
    // A SIP caller hears the 180 relayed as CHANNEL_PROGRESS (s1), once: after `ring_ready` it
    // already rings, and the real switch sends no second CHANNEL_PROGRESS (recorded SIP calls).
    if (ringing && caller.up && caller.answerState === 'ringing' && !caller.ringReady) {
      caller.ringReady = true;
      sim.emitEvent(caller, 'CHANNEL_PROGRESS');
    }

    function ring(ch: SimChannel): void {
      ch.callState = 'RINGING';
      sim.emitEvent(ch, 'CHANNEL_PROGRESS');
    }
  });
}

/** sofia-style channel names for the targets the simulator understands. */
function channelNameOf(target: string): string {
  const user = /^user\/(.+)$/.exec(target);
  if (user) return `sofia/internal/${user[1]}@127.0.0.1`;
  return target;
}

/** The answered call: CHANNEL_ANSWER (caller), CHANNEL_BRIDGE, then wait for either side to hang up. */
async function bridged(runner: AppRunner, winner: RingLeg, all: RingLeg[]): Promise<void> {
  const { sim, ch } = runner;
  const other = winner.ch!;
  const loser = all.find((l) => l !== winner && l.cause);
  // Surprise 3: a loser's cause can sit in last_bridge_hangup_cause on a successful call.
  if (loser?.cause) ch.vars.set('last_bridge_hangup_cause', loser.cause);
  ch.vars.set('originate_disposition', 'SUCCESS');
  ch.vars.set('DIALSTATUS', 'SUCCESS');
  answer(runner);
  ch.otherLeg = other;
  other.otherLeg = ch;
  for (const [k, v] of [
    ['bridge_to', other.uuid],
    ['last_bridge_to', other.uuid],
    ['bridge_channel', other.name],
    ['bridge_uuid', other.uuid],
    ['signal_bond', other.uuid],
    ['last_bridge_role', 'originator'],
  ] as const) ch.vars.set(k, v);
  sim.emitEvent(ch, 'CHANNEL_BRIDGE');
  sim.emitEvent(other, 'CHANNEL_BRIDGE');
  const talkMs = Number(other.vars.get('sim_talk_ms') ?? NaN);

  const ended = await new Promise<'caller' | 'callee'>((resolve) => {
    let t: NodeJS.Timeout | null = null;
    const offCaller = ch.whenHungUp(() => {
      offCallee();
      sim.cancel(t);
      resolve('caller');
    });
    const offCallee = other.whenHungUp(() => {
      offCaller();
      sim.cancel(t);
      resolve('callee');
    });
    if (Number.isFinite(talkMs)) t = sim.later(talkMs, () => sim.hangupChannel(other, 'NORMAL_CLEARING'));
  });
  if (ended === 'caller') sim.hangupChannel(other, 'NORMAL_CLEARING');
  ch.vars.set('last_bridge_hangup_cause', other.hangupCause ?? 'NORMAL_CLEARING');
  ch.vars.set('bridge_hangup_cause', 'NORMAL_CLEARING');
  ch.vars.delete('bridge_to');
  sim.emitEvent(ch, 'CHANNEL_UNBRIDGE');
  ch.otherLeg = null;
  // Surprise 10: without hangup_after_bridge the caller stays up after the bridge.
  if (ch.up && ch.vars.get('hangup_after_bridge') === 'true') sim.hangupChannel(ch, 'NORMAL_CLEARING');
}
