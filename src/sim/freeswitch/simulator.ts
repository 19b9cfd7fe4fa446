/**
 * A FreeSWITCH simulator that speaks ESL like the recordings in freeswitch-reference: an inbound
 * event socket (auth, events, api, bgapi) and, per inbound call, an outbound `socket ... async full`
 * connection to the controller, with the dialplan's fail-safe route after it.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { DeviceBehaviour } from '../devices.js';
import { SimChannel } from './channel.js';
import { CallRunner } from './call.js';
import { InboundSession } from './inbound.js';
import { directoryUserOf, SimRegistrations } from './registrations.js';
import { renderEvent, type EslSimulatorOptions, type ExecutedApp, type FailsafeRecord, type Header, type SimHost, type VoicemailRecord } from './host.js';

export type { EslSimulatorOptions, ExecutedApp, FailsafeRecord, VoicemailRecord } from './host.js';

/** The `set` actions before `socket` in dialplan/freeswitch/switchboard.xml. */
export const SHIPPED_BEFORE_SOCKET: Readonly<Record<string, string>> = { continue_on_fail: 'true', hangup_after_bridge: 'false' };

/** The simulated FreeSWITCH. */
export class EslSimulator implements SimHost {
  readonly events = new EventEmitter();
  eslPort = 0;
  readonly opts: EslSimulatorOptions;
  private readonly server: net.Server;
  private readonly chans = new Map<string, SimChannel>();
  private readonly devices = new Map<string, DeviceBehaviour>();
  private defaultDevice: DeviceBehaviour | null = null;
  private readonly inbound = new Set<InboundSession>();
  private readonly runners = new Map<string, CallRunner>();
  private readonly sockets = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly vm: VoicemailRecord[] = [];
  private readonly fs: FailsafeRecord[] = [];
  private readonly dials: string[] = [];
  private readonly apps: ExecutedApp[] = [];
  private stopped = false;
  readonly registrations: SimRegistrations;

  private constructor(opts: EslSimulatorOptions) {
    this.opts = opts;
    this.registrations = new SimRegistrations(this, opts.directory);
    this.events.on('error', () => {});
    this.server = net.createServer((socket) => {
      this.track(socket);
      const s = new InboundSession(this, socket);
      this.inbound.add(s);
      socket.once('close', () => this.inbound.delete(s));
    });
  }

  /** Start listening for inbound ESL on 127.0.0.1:`eslPort` (0 = ephemeral). */
  static async start(opts: EslSimulatorOptions): Promise<EslSimulator> {
    const sim = new EslSimulator(opts);
    await new Promise<void>((resolve, reject) => {
      sim.server.once('error', reject);
      sim.server.listen(opts.eslPort ?? 0, '127.0.0.1', () => resolve());
    });
    sim.eslPort = (sim.server.address() as net.AddressInfo).port;
    return sim;
  }

  /** How the device behind a dial target (e.g. `user/1001`) behaves. */
  setDevice(dial: string, b: DeviceBehaviour): void {
    this.devices.set(dial, b);
  }

  /** Point later calls' `socket` application somewhere else (the controller's listener). */
  setSocketTarget(t: { host: string; port: number }): void {
    this.opts.socketTarget = t;
  }

  /** Behaviour of every target without its own; null = such targets are not registered. */
  setDefaultDevice(b: DeviceBehaviour | null): void {
    this.defaultDevice = b;
  }

  /** The behaviour for a dial target, or null when nothing is registered there. */
  deviceFor(target: string): DeviceBehaviour | null {
    const user = directoryUserOf(target);
    if (user !== null && !this.registrations.isRegistered(user)) return null;
    return this.devices.get(target) ?? this.defaultDevice;
  }

  /**
   * A phone registers (true) or unregisters (false): CUSTOM sofia::register / sofia::unregister.
   * `contact` 1, 2, ...: another registration of the same user (a second phone or Contact).
   */
  setRegistered(user: string, on: boolean, contact = 0): void {
    this.registrations.set(user, on, contact);
  }

  /** The phone `user` is on a call the controller never placed (on), or that call ends (off). */
  foreignCall(user: string, on: boolean): void {
    this.registrations.foreignCall(user, on);
  }

  /** The users given a behaviour as `user/X` (registered, like the directory's). */
  deviceUsers(): string[] {
    return [...this.devices.keys()].map(directoryUserOf).filter((u): u is string => u !== null);
  }

  /** Drop every inbound ESL connection now (the controller reconnects by itself); how many there were. */
  dropInbound(): number {
    const n = this.inbound.size;
    for (const s of this.inbound) s.close();
    // Forgotten at once, not on 'close': an event published in this same tick reaches nobody.
    this.inbound.clear();
    return n;
  }

  /** Publish an event that is about no channel (CUSTOM sofia::register, ...) to inbound subscribers. */
  emitGlobal(name: string, headers: Header[]): void {
    this.events.emit('event', { name, uuid: '', headers: Object.fromEntries(headers) });
    for (const s of this.inbound) s.deliver(name, headers);
  }

  /** A call arrives from the carrier: its channel runs `socket <socketTarget> async full`. */
  async placeInboundCall(o: { from: string; to: string; callerName?: string; hangupAfterMs?: number; hideNumber?: boolean }): Promise<{ uuid: string }> {
    const ch = new SimChannel({
      name: `sofia/carrier/${o.from}@127.0.0.1`,
      direction: 'inbound',
      callerNumber: o.from,
      callerName: o.callerName ?? o.from,
      destination: o.to,
      hideNumber: o.hideNumber ?? false,
    });
    ch.chanState = 'CS_EXECUTE';
    ch.callState = 'RINGING';
    for (const [k, v] of Object.entries(this.opts.beforeSocket ?? SHIPPED_BEFORE_SOCKET)) ch.vars.set(k, v);
    this.addChannel(ch);
    this.emitEvent(ch, 'CHANNEL_CREATE');
    const runner = new CallRunner(this, ch);
    this.runners.set(ch.uuid, runner);
    await runner.connect();
    // As on a real FreeSWITCH, where the test carrier times its hang-up from the moment `socket`
    // has the call: a caller gone before the controller's `connect` is never the controller's call.
    await runner.controllerHasCall;
    if (o.hangupAfterMs !== undefined) this.later(o.hangupAfterMs, () => this.hangupChannel(ch, 'NORMAL_CLEARING'));
    return { uuid: ch.uuid };
  }

  /** Hang a channel up as if its far end did (default cause NORMAL_CLEARING); false if unknown. */
  hangup(uuid: string, cause = 'NORMAL_CLEARING'): boolean {
    const ch = this.chans.get(uuid);
    if (!ch || !ch.up) return false;
    this.hangupChannel(ch, cause);
    return true;
  }

  /** Every channel the simulator knows, live or ended (newest last). */
  channels(): Array<{ uuid: string; name: string; from: string; to: string; answerState: string; cause: string | null; vars: Record<string, string> }> {
    return [...this.chans.values()].map((c) => ({
      uuid: c.uuid,
      name: c.name,
      from: c.callerNumber,
      to: c.destination,
      answerState: c.answerState,
      cause: c.hangupCause,
      vars: Object.fromEntries(c.vars),
    }));
  }

  voicemails(): VoicemailRecord[] {
    return [...this.vm];
  }

  failsafeCalls(): FailsafeRecord[] {
    return [...this.fs];
  }

  /** Every bridge / originate argument received, verbatim (injection tests read these). */
  dialStrings(): string[] {
    return [...this.dials];
  }

  /** Every application a controller asked to execute (`sendmsg`), in order. */
  executed(): ExecutedApp[] {
    return [...this.apps];
  }

  /** Close every socket and timer. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- internal API for the sessions, runners and apps ---------------------------------------

  get isStopped(): boolean {
    return this.stopped;
  }

  track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
  }

  /** setTimeout that `stop()` clears. */
  later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  cancel(t: NodeJS.Timeout | null | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  addChannel(ch: SimChannel): void {
    this.chans.set(ch.uuid, ch);
  }

  getChannel(uuid: string): SimChannel | undefined {
    return this.chans.get(uuid);
  }

  liveChannels(): SimChannel[] {
    return [...this.chans.values()].filter((c) => c.up);
  }

  recordDial(arg: string): void {
    this.dials.push(arg);
  }

  recordApp(a: ExecutedApp): void {
    this.apps.push(a);
  }

  recordVoicemail(v: VoicemailRecord): void {
    this.vm.push(v);
    this.events.emit('voicemail', v);
  }

  recordFailsafe(f: FailsafeRecord): void {
    this.fs.push(f);
    this.events.emit('failsafe', f);
  }

  /** Publish an event about `ch`: to inbound subscribers, and to its controller if it is controlled. */
  emitEvent(ch: SimChannel, name: string, extra: Header[] = []): void {
    const headers = ch.eventHeaders(name, extra);
    this.events.emit('event', { name, uuid: ch.uuid, headers: Object.fromEntries(headers) });
    for (const s of this.inbound) s.deliver(name, headers);
    this.runners.get(ch.uuid)?.deliver(name, headers);
  }

  /** Publish BACKGROUND_JOB with the api reply as its body. */
  emitBackgroundJob(jobUuid: string, cmd: string, arg: string, body: string): void {
    const headers: Header[] = [
      ['Event-Name', 'BACKGROUND_JOB'],
      ['Job-UUID', jobUuid],
      ['Job-Command', cmd],
      ['Job-Command-Arg', arg],
    ];
    for (const s of this.inbound) s.deliver('BACKGROUND_JOB', headers, body);
  }

  /** A channel goes down: CHANNEL_HANGUP now; a target leg also completes and is destroyed. */
  hangupChannel(ch: SimChannel, cause: string): void {
    if (!ch.up) return;
    ch.chanState = 'CS_HANGUP';
    const runner = this.runners.get(ch.uuid);
    const late = Boolean(runner && this.opts.lateCallerHangup && ch.otherLeg);
    ch.markHungUp(cause);
    if (late) runner!.hangupEventLater();
    else this.emitEvent(ch, 'CHANNEL_HANGUP');
    if (runner) {
      runner.onHangup();
      return;
    }
    // Target legs have no controller: they complete and are destroyed right away.
    queueMicrotask(() => {
      ch.chanState = 'CS_REPORTING';
      ch.callState = 'HANGUP';
      this.emitEvent(ch, 'CHANNEL_HANGUP_COMPLETE');
      ch.destroyed = true;
      this.emitEvent(ch, 'CHANNEL_DESTROY');
    });
  }

  /** Render an event for a subscriber in its format. */
  static render(format: 'plain' | 'json', headers: Header[], body = ''): string {
    return renderEvent(format, headers, body);
  }
}
