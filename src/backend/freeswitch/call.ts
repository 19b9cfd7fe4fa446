/**
 * CallControl for one inbound FreeSWITCH call: one outbound-mode ESL connection (`socket ... async
 * full`), `myevents` for the controlled leg, per-leg results from the inbound ESL connection.
 * Quirks handled (freeswitch-reference README): 1 continue_on_fail, 2 sendmsg +OK means nothing,
 * 3 results only in CHANNEL_EXECUTE_COMPLETE, 4 legs invisible on myevents, 5 linger notice early,
 * 10 the caller stays up after a bridge.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log.js';
import { SwitchboardError } from '../../errors.js';
import type { AttemptOutcome, BridgeEnd, CallControl, InboundCallInfo, LegOutcome, LegSpec } from '../../call/contract.js';
import type { EslConnection } from './connection.js';
import type { EslEvent } from '../../esl/protocol.js';
import type { InboundEsl } from './inbound.js';
import { buildBridge, type PlannedLeg } from './bridge-arg.js';
import { legResultOf, q850Of } from '../../esl/causes.js';
import { FsConfirmations } from './confirm.js';

export interface CallDeps {
  templates: { endpoint: string; trunk: string };
  inbound: InboundEsl;
  log: Logger;
}

const MAILBOX_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
/** How long to wait for the inbound connection's view of a leg (the sockets are not ordered: surprise 14). */
const LEG_SETTLE_MS = 1500;
/**
 * Voicemail domain: `${domain}` is expanded by FreeSWITCH from the vanilla global variable
 * `domain` (vars.xml), which is the directory domain the mailboxes live in on a stock install.
 */
const VOICEMAIL_DOMAIN = '${domain}';

type Waited = EslEvent | null;

/** Parse `originate_causes`: `uuid;CAUSE` or `ARRAY::uuid;CAUSE|:uuid;CAUSE`. */
export function parseOriginateCauses(v: string | undefined): Map<string, string> {
  const m = new Map<string, string>();
  if (!v) return m;
  for (const item of v.replace(/^ARRAY::/, '').split('|:')) {
    const [uuid, cause] = item.split(';');
    if (uuid && cause) m.set(uuid, cause);
  }
  return m;
}

/** One inbound call under our control. */
export class FreeswitchCall implements CallControl {
  readonly info: InboundCallInfo;
  private readonly uuid: string;
  private readonly bus = new EventEmitter();
  private hungUp = false;
  private lost = false;
  private done = false;
  private prepared = false;
  private bridge: { complete: Promise<Waited> } | null = null;
  private log: Logger;
  private readonly baseLog: Logger;

  constructor(
    private readonly conn: EslConnection,
    data: EslEvent,
    private readonly deps: CallDeps,
  ) {
    this.uuid = data.headers['Unique-ID'] ?? '';
    this.info = {
      channelId: this.uuid,
      rawCaller: data.headers['Caller-Caller-ID-Number'] ?? '',
      rawCalled: data.headers['Caller-Destination-Number'] ?? '',
      // The caller asked for the number to be hidden (SIP Privacy: id, or a restricted PAI): withheld.
      presentationRestricted: (data.headers['Caller-Privacy-Hide-Number'] ?? '').toLowerCase() === 'true',
    };
    // Surprises 1 and 10: the shipped dialplan sets these before `socket`, where they cost nothing;
    // the connect reply carries them. Only a dialplan without them makes us send two `set`s.
    this.prepared = data.headers.variable_continue_on_fail === 'true' && data.headers.variable_hangup_after_bridge === 'false';
    this.baseLog = deps.log.child({ channel: this.uuid });
    this.log = this.baseLog;
    this.bus.setMaxListeners(0);
    conn.on('event', (ev: EslEvent) => this.onEvent(ev));
    conn.on('notice', () => {
      // Surprise 5: the linger notice may come before CHANNEL_HANGUP_COMPLETE; keep reading, but
      // do not hang on forever if HANGUP_COMPLETE never shows.
      setTimeout(() => this.conn.close(), 5000).unref();
    });
    conn.once('close', () => {
      this.lost = !this.done;
      this.done = true;
      this.bus.emit('end');
    });
  }

  get callerGone(): boolean {
    return this.hungUp || this.done;
  }

  /** `myevents` then `linger 10`: never plain `linger`, which holds the session forever (surprise 6). */
  async subscribe(): Promise<void> {
    // Pipelined: FreeSWITCH answers the commands of one socket in order.
    await Promise.all([this.conn.send('myevents'), this.conn.send('linger 10')]);
  }

  private onEvent(ev: EslEvent): void {
    if (ev.headers['Unique-ID'] && ev.headers['Unique-ID'] !== this.uuid) return;
    // Any event saying `Answer-State: hangup` means the caller is going: her CHANNEL_HANGUP can
    // come after the bridge's UNBRIDGE and EXECUTE_COMPLETE, because a hangup from another thread
    // (the far end, uuid_kill) sets CS_HANGUP before it fires the event (switch_channel.c,
    // switch_channel_perform_hangup), and the bridge can return and report in between. Read as
    // "the callee hung up", that race logged 'ended by callee' for a caller who left.
    if (ev.name === 'CHANNEL_HANGUP' || ev.headers['Answer-State'] === 'hangup') this.hungUp = true;
    this.bus.emit('event', ev);
    if (ev.name === 'CHANNEL_HANGUP_COMPLETE') {
      this.hungUp = true;
      this.done = true;
      this.bus.emit('end');
      this.conn.close();
    }
  }

  /** The first event matching `match`; null once the call is over (HANGUP_COMPLETE or socket closed). */
  private waitEvent(match: (ev: EslEvent) => boolean): Promise<Waited> {
    if (this.done) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onEv = (ev: EslEvent) => {
        if (!match(ev)) return;
        cleanup();
        resolve(ev);
      };
      const onEnd = () => {
        cleanup();
        resolve(null);
      };
      const cleanup = () => {
        this.bus.off('event', onEv);
        this.bus.off('end', onEnd);
      };
      this.bus.on('event', onEv);
      this.bus.on('end', onEnd);
    });
  }

  /** sendmsg execute; `complete` is its CHANNEL_EXECUTE_COMPLETE matched by Application-UUID (surprise 2). */
  private async execute(app: string, arg: string): Promise<{ appUuid: string; complete: Promise<Waited> }> {
    const appUuid = randomUUID();
    const complete = this.waitEvent((ev) => ev.name === 'CHANNEL_EXECUTE_COMPLETE' && ev.headers['Application-UUID'] === appUuid);
    await this.conn.send(`sendmsg ${this.uuid}`, [
      ['call-command', 'execute'],
      ['execute-app-name', app],
      ['execute-app-arg', arg],
      ['Event-UUID', appUuid],
    ]);
    return { appUuid, complete };
  }

  private async run(app: string, arg: string): Promise<Waited> {
    return (await this.execute(app, arg)).complete;
  }

  async indicateRinging(): Promise<void> {
    if (this.callerGone) return;
    await this.run('ring_ready', '');
  }

  async ringAttempt(legs: LegSpec[], ringSeconds: number): Promise<AttemptOutcome> {
    const startedAt = new Date().toISOString();
    const plan = buildBridge(legs, ringSeconds, this.deps.templates);
    const refused: LegOutcome[] = plan.refused.map((r) => {
      this.log.error({ leg: r.key, reason: r.reason }, 'leg refused: unsafe dial string');
      return { key: r.key, startedAt, result: 'failed', cause: null };
    });
    if (this.callerGone) {
      return { kind: 'caller-gone', legs: [...plan.legs.map((l) => this.outcome(l, startedAt, 'ORIGINATOR_CANCEL', null)), ...refused] };
    }
    if (plan.legs.length === 0) return { kind: 'failed', legs: refused, reason: 'no leg could be dialled' };
    try {
      if (!this.prepared) {
        // Surprise 1: without continue_on_fail a failed bridge hangs the caller up; surprise 10:
        // keep the caller after the bridge so the session decides what happens next. The channel
        // runs its queued applications in order, so the sets are not waited for: each wait costs
        // a turn of the parked channel's loop before the bridge starts.
        await Promise.all([this.execute('set', 'continue_on_fail=true'), this.execute('set', 'hangup_after_bridge=false')]);
        this.prepared = true;
      }
      for (const l of plan.legs) this.deps.inbound.watch(l.uuid);
      // Section 8: the confirming legs of this attempt (confirm.ts); their results read it below.
      (this.confirms = new FsConfirmations(this.deps.inbound, () => this.log)).start(plan.legs);
      const bridged = this.waitEvent((ev) => ev.name === 'CHANNEL_BRIDGE');
      const hangup = this.waitEvent((ev) => ev.name === 'CHANNEL_HANGUP');
      const { complete } = await this.execute('bridge', plan.arg);
      const first = await Promise.race([
        bridged.then((ev) => ({ k: 'bridge' as const, ev })),
        complete.then((ev) => ({ k: 'complete' as const, ev })),
        hangup.then((ev) => ({ k: 'hangup' as const, ev })),
      ]);
      if (first.ev === null && this.lost) return { kind: 'failed', legs: [...plan.legs.map((l) => this.outcome(l, startedAt, 'ORIGINATOR_CANCEL', null)), ...refused], reason: 'ESL connection lost' };
      if (first.k === 'bridge' && first.ev) return await this.answered(plan.legs, first.ev, complete, startedAt, refused);
      if (first.k === 'complete' && first.ev && !this.hungUp) return await this.unanswered(plan.legs, first.ev, startedAt, refused);
      // The caller left while the legs rang: the bridge's own result still names each leg's cause.
      const done = await Promise.race([complete, new Promise<Waited>((r) => setTimeout(() => r(null), 2000).unref())]);
      const causes = parseOriginateCauses(done?.headers.variable_originate_causes);
      await this.settle(plan.legs.map((l) => l.uuid));
      return { kind: 'caller-gone', legs: [...plan.legs.map((l) => this.legOutcome(l, startedAt, causes, 'ORIGINATOR_CANCEL')), ...refused] };
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'ring attempt failed');
      return { kind: 'failed', legs: [...plan.legs.map((l) => this.outcome(l, startedAt, 'ORIGINATOR_CANCEL', null)), ...refused], reason: (err as Error).message };
    } finally {
      this.confirms?.dispose();
      for (const l of plan.legs) setTimeout(() => this.deps.inbound.forget(l.uuid), 10_000).unref();
    }
  }

  private async answered(legs: PlannedLeg[], ev: EslEvent, complete: Promise<Waited>, startedAt: string, refused: LegOutcome[]): Promise<AttemptOutcome> {
    const other = ev.headers['Other-Leg-Unique-ID'] ?? ev.headers.variable_bridge_uuid ?? ev.headers.variable_last_bridge_to;
    const winner = legs.find((l) => l.uuid === other) ?? legs.find((l) => this.deps.inbound.seen(l.uuid)?.answered);
    if (!winner) {
      this.log.error({ other }, 'bridged to a leg we did not originate');
      return { kind: 'failed', legs: refused, reason: 'bridged to an unknown leg' };
    }
    this.bridge = { complete };
    const answeredAt = new Date().toISOString();
    const losers = legs.filter((l) => l !== winner);
    await this.settle(losers.map((l) => l.uuid));
    const out: LegOutcome[] = [
      { key: winner.key, startedAt, result: 'answered', cause: null, answeredAt },
      ...losers.map((l) => this.legOutcome(l, startedAt, new Map(), 'LOSE_RACE')),
      ...refused,
    ];
    return { kind: 'answered', answeredKey: winner.key, legs: out };
  }

  /** The bridge returned without an answer: read its result variables (surprise 3: only here). */
  private async unanswered(legs: PlannedLeg[], ev: EslEvent, startedAt: string, refused: LegOutcome[]): Promise<AttemptOutcome> {
    const causes = parseOriginateCauses(ev.headers.variable_originate_causes);
    const disposition = ev.headers.variable_originate_disposition ?? 'NORMAL_TEMPORARY_FAILURE';
    // A single leg with no channel has no originate_causes entry: the disposition is its cause.
    if (legs.length === 1 && !causes.has(legs[0]!.uuid)) this.fallbackCause.set(legs[0]!.uuid, disposition);
    await this.settle(legs.filter((l) => causes.has(l.uuid) || this.deps.inbound.seen(l.uuid)?.created).map((l) => l.uuid));
    const out = [...legs.map((l) => this.legOutcome(l, startedAt, causes, disposition)), ...refused];
    const kind = out.every((l) => l.result === 'failed') ? 'failed' : 'unanswered';
    return kind === 'failed' ? { kind, legs: out, reason: `bridge failed: ${disposition}` } : { kind, legs: out };
  }

  private readonly fallbackCause = new Map<string, string>();
  private confirms: FsConfirmations | null = null;

  /** One leg's outcome from the inbound view, else the bridge's originate_causes, else `fallback`. */
  private legOutcome(l: PlannedLeg, startedAt: string, causes: Map<string, string>, fallback: string): LegOutcome {
    const seen = this.deps.inbound.seen(l.uuid);
    const existed = Boolean(seen?.created) || causes.has(l.uuid);
    const fromBridge = causes.get(l.uuid);
    const name = seen?.cause ?? (fromBridge && fromBridge !== 'NONE' ? fromBridge : undefined) ?? this.fallbackCause.get(l.uuid) ?? fallback;
    const q850 = seen?.q850 ?? (existed ? q850Of(name) : null);
    const out = { ...this.outcome(l, startedAt, name, q850), ...(seen?.endedAt ? { endedAt: seen.endedAt } : {}) };
    return this.confirms?.unconfirmed(l.uuid, name) ? { ...out, result: 'unconfirmed' } : out;
  }

  private outcome(l: PlannedLeg, startedAt: string, cause: string, q850: number | null): LegOutcome {
    return { key: l.key, startedAt, result: legResultOf(cause), cause: q850, endedAt: new Date().toISOString() };
  }

  /** Wait (briefly) until the inbound connection has each leg's CHANNEL_HANGUP_COMPLETE. */
  private settle(uuids: string[]): Promise<void> {
    const inbound = this.deps.inbound;
    const pending = () => uuids.some((u) => {
      const s = inbound.seen(u);
      return s !== undefined && s.cause === null && (s.created || !this.done);
    });
    if (!inbound.connected || !pending()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (pending()) return;
        finish();
      };
      const finish = () => {
        clearTimeout(t);
        inbound.off('leg', check);
        resolve();
      };
      const t = setTimeout(finish, LEG_SETTLE_MS);
      inbound.on('leg', check);
    });
  }

  async waitBridgeEnd(): Promise<BridgeEnd> {
    if (!this.bridge) return { by: this.lost ? 'lost' : 'caller' };
    const ev = await this.bridge.complete;
    this.bridge = null;
    if (ev === null && this.lost) return { by: 'lost' };
    if (this.hungUp) return { by: 'caller' };
    // Surprise 10: after the bridge ends the caller's leg stays up (no hangup_after_bridge): end it.
    await this.run('hangup', 'NORMAL_CLEARING').catch((err) => this.log.warn({ err: (err as Error).message }, 'caller hangup after the bridge failed'));
    return { by: 'callee' };
  }

  /** `answer` first (voicemail itself does not answer: surprise 9), `voicemail default ${domain} <box>`, then `hangup`. */
  async voicemail(mailbox: string): Promise<void> {
    if (!MAILBOX_RE.test(mailbox)) throw new SwitchboardError('UNSAFE_DIAL_VALUE', `refusing unsafe mailbox ${JSON.stringify(mailbox.slice(0, 40))}`);
    if (this.callerGone) return;
    await this.run('answer', '');
    if (this.callerGone) return;
    const appUuid = randomUUID();
    const started = this.waitEvent((ev) => ev.name === 'CHANNEL_EXECUTE' && ev.headers['Application-UUID'] === appUuid);
    await this.conn.send(`sendmsg ${this.uuid}`, [
      ['call-command', 'execute'],
      ['execute-app-name', 'voicemail'],
      ['execute-app-arg', `default ${VOICEMAIL_DOMAIN} ${mailbox}`],
      ['Event-UUID', appUuid],
      // Without the lock, voicemail's playback reads the channel's queue and runs the hangup below
      // INSIDE voicemail, before the caller can speak (seen on the real 1.10.12).
      ['event-lock', 'true'],
    ]);
    // voicemail returns without hanging up and `socket ... async` then parks the caller again
    // (issue 11 item 6). Queue the hangup behind it now: the channel runs it as soon as voicemail
    // returns, even if this controller has stopped by then.
    await this.conn.send(`sendmsg ${this.uuid}`, [
      ['call-command', 'execute'],
      ['execute-app-name', 'hangup'],
      ['execute-app-arg', 'NORMAL_CLEARING'],
      ['Event-UUID', randomUUID()],
    ]);
    await started;
  }

  setLogContext(bindings: Record<string, string>): void {
    this.log = this.baseLog.child(bindings);
  }

  /** Nothing to keep: a FreeSWITCH call cannot be resumed (its socket dies with the process). */
  snapshot(): null {
    return null;
  }

  /** Nothing outlives the call's socket: its events arrive on that socket only. */
  dispose(): void {}

  async hangup(reason: 'no-route' | 'normal' | 'rejected'): Promise<void> {
    if (this.callerGone) return;
    // Q.850 3 for a call nobody can take, 21 (CALL_REJECTED) for a blocked caller.
    await this.run('hangup', reason === 'no-route' ? 'NO_ROUTE_DESTINATION' : reason === 'rejected' ? 'CALL_REJECTED' : 'NORMAL_CLEARING');
  }
}
