/**
 * AriSimulator: an in-process fake Asterisk 22 speaking ARI (REST + WebSocket under /ari) well enough
 * for the real ari-client 2.2.0, reproducing the recorded behaviour of a real Asterisk
 * (../shared/asterisk-reference). Plus a /_sim control API mirroring this class.
 */
import { EventEmitter } from 'node:events';
import { Scheduler } from './clock.js';
import { controlApi, type SimControl } from './control.js';
import type { SimCore } from './core.js';
import { runLocalContext } from './dialplan.js';
import { DeviceRegistry } from './endpoints.js';
import { SimDeviceStates } from './device-state.js';
import { EventBus } from './events.js';
import { originate } from './originate.js';
import { SimPbx } from './pbx.js';
import { bridgeRoutes } from './rest/bridges.js';
import { channelRoutes } from './rest/channels.js';
import { miscRoutes } from './rest/misc.js';
import { playbackRoutes } from './media.js';
import { Router } from './rest/router.js';
import { AriHttpServer } from './server.js';
import type { AriSimOptions, BridgeJson, ChannelJson, DeviceBehaviour, FailsafeEntry, OriginateRecord, PlayedBehaviour, VoicemailEntry } from './types.js';

export type { AriSimOptions, DeviceBehaviour, FailsafeEntry, OriginateRecord, SimEventRecord, VoicemailEntry } from './types.js';

/** A live channel as the test sees it: the ARI model plus where it is. */
export type ChannelSnapshot = ChannelJson & { bridge_id?: string; stasis_app?: string };

/** An inbound call as a carrier delivers it. `from` is raw caller text and may be hostile. */
/** `presentation`: the caller's CALLERID(pres) as the carrier set it (`prohib` = withheld), default `allowed_not_screened`. */
export interface InboundCall {
  from: string; to: string; callerName?: string; hangupAfterMs?: number; via?: 'local' | 'pjsip'; presentation?: string;
  /** SIP headers of a `via: 'pjsip'` INVITE, readable as the PJSIP_HEADER(read,NAME) function. */
  headers?: Record<string, string>;
}

/** Errors of the simulator's own API, with stable codes. */
export class SimError extends Error {
  constructor(readonly code: 'SIM_NO_CHANNEL' | 'SIM_BAD_CALL' | 'SIM_NOT_BRIDGED', message: string) {
    super(message);
    this.name = 'SimError';
  }
}

/** The simulator. Create with `AriSimulator.start(opts)`, always `stop()` it. */
export class AriSimulator implements SimControl {
  /** 'event' (SimEventRecord: every ARI event produced, delivered or not), 'channel-destroyed', 'voicemail', 'failsafe', 'error'. */
  readonly events = new EventEmitter();
  url = '';
  private readonly core: SimCore;
  private readonly sched: Scheduler;
  private readonly bus: EventBus;
  private readonly server: AriHttpServer;

  private constructor(private readonly opts: AriSimOptions) {
    this.events.setMaxListeners(0);
    // An 'error' listener so a simulator bug is reported, never thrown into the test process.
    this.events.on('error', () => undefined);
    this.sched = new Scheduler((err) => this.events.emit('error', err));
    this.bus = new EventBus(this.events);
    const pbx = new SimPbx(this.bus, this.sched, this.events);
    const devices = new DeviceRegistry();
    this.core = {
      pbx,
      devices,
      deviceStates: new SimDeviceStates(pbx, devices),
      settings: {
        app: opts.app ?? 'switchboard',
        contexts: { trunk: 'from-trunk', voicemail: 'switchboard-voicemail', failsafe: 'switchboard-failsafe', caller: 'sim-caller', sim: 'sim', ...opts.contexts },
        failsafe: { trunkEndpoint: 'carrier', dialTimeoutMs: 20_000, ...opts.failsafe },
        voicemailMaxMs: opts.voicemailMaxMs ?? 5000,
        stasisArgs: opts.stasisArgs ?? 'shipped',
        simTimeScale: opts.simTimeScale ?? 1,
        defaultOriginateTimeoutSec: opts.defaultOriginateTimeoutSec ?? 30,
      },
    };
    const router = new Router();
    channelRoutes(router, this.core);
    bridgeRoutes(router, this.core);
    miscRoutes(router, this.core);
    playbackRoutes(router, this.core);
    this.server = new AriHttpServer({
      username: opts.username,
      password: opts.password,
      maxHttpSessions: opts.maxHttpSessions ?? 100,
      router,
      bus: this.bus,
      control: controlApi(this),
      onError: (err) => this.events.emit('error', err),
      afterRequest: () => pbx.pruneApps(),
      hold: (method, path) => this.holds.find((h) => h.method === method && path.startsWith(h.prefix))?.enter(),
    });
  }

  private holds: { method: string; prefix: string; enter: () => Promise<void> }[] = [];

  /**
   * A slow PBX, for tests: every ARI request `method` on a path starting with `prefix` waits until
   * `release()` (the REST answer comes only then). `held` resolves when the first one has arrived.
   */
  holdRequests(method: string, prefix: string): { held: Promise<void>; release(): void } {
    let arrived!: () => void;
    let open!: () => void;
    const held = new Promise<void>((r) => (arrived = r));
    const released = new Promise<void>((r) => (open = r));
    const entry = { method, prefix, enter: () => (arrived(), released) };
    this.holds.push(entry);
    return {
      held,
      release: () => {
        this.holds = this.holds.filter((h) => h !== entry);
        open();
      },
    };
  }

  /** Start listening (127.0.0.1, port 0 = ephemeral by default). */
  static async start(opts: AriSimOptions): Promise<AriSimulator> {
    const sim = new AriSimulator(opts);
    const host = opts.host ?? '127.0.0.1';
    const port = await sim.server.listen(opts.port ?? 0, host);
    sim.url = `http://${host}:${port}`;
    return sim;
  }

  /** Set what dialling `dial` does (`PJSIP/1001`, `PJSIP/+1202...@carrier`, `Local/x@ctx`). */
  setDevice(dial: string, b: DeviceBehaviour | PlayedBehaviour): void {
    this.core.devices.set(dial, b);
  }

  /** A desk phone registers (true: `online`, `NOT_INUSE`) or unregisters (`offline`, `UNAVAILABLE`; dialling it fails). */
  setRegistered(endpoint: string, on: boolean): void {
    this.core.deviceStates.setRegistered(endpoint, on);
  }

  /** The phone is on (true) or off a call that the controller never placed: `INUSE` meanwhile. */
  foreignCall(endpoint: string, on: boolean): void {
    this.core.deviceStates.foreignCall(endpoint, on);
  }

  /** Behaviour of every PJSIP dial string nobody set (null: unreachable, HTTP 500, like real Asterisk). */
  setDefaultDevice(b: DeviceBehaviour | PlayedBehaviour | null): void {
    this.core.devices.setDefault(b);
  }

  /**
   * A carrier delivers a call: as in the reference set-up, `Local/<to>@from-trunk` whose ;1 half is the
   * PSTN caller (sim-caller,talk) and whose ;2 half runs the trunk context into Stasis. With `via: 'pjsip'`
   * it arrives as a `PJSIP/carrier-…` channel instead (trace p).
   */
  async placeInboundCall(call: InboundCall): Promise<{ pstnChannelId: string; channelId: string }> {
    const { pbx, settings } = this.core;
    const caller = { name: call.callerName ?? '', number: call.from };
    if (call.via === 'pjsip') return this.placePjsipCall(call, caller);
    const res = originate(this.core, {
      endpoint: `Local/${call.to}@${settings.contexts.trunk}`, context: settings.contexts.caller, extension: 'talk', caller,
      callerId: call.callerName ? `"${call.callerName}" <${call.from}>` : call.from,
    });
    if (!res.ok) throw new SimError('SIM_BAD_CALL', `cannot place a call to ${JSON.stringify(call.to)}: ${JSON.stringify(res.body)}`);
    const pstn = res.channel;
    const leg = pstn.partner;
    if (!leg) throw new SimError('SIM_BAD_CALL', 'inbound call has no ;2 half');
    if (call.presentation) leg.callerPres = call.presentation;
    if (call.hangupAfterMs !== undefined) pbx.later(pstn, call.hangupAfterMs, () => pbx.hangup(pstn, { cause: 16 }));
    return { pstnChannelId: pstn.id, channelId: leg.id };
  }

  private placePjsipCall(call: InboundCall, caller: { name: string; number: string }): { pstnChannelId: string; channelId: string } {
    const { pbx, settings } = this.core;
    const trunk = settings.failsafe.trunkEndpoint;
    const ch = pbx.newChannel('PJSIP', `PJSIP/${trunk}-${pbx.ids.nameSuffix('PJSIP')}`, 'dialplan', caller,
      { context: settings.contexts.trunk, exten: call.to, priority: 1, app_name: '', app_data: '' });
    ch.state = 'Ring';
    if (call.presentation) ch.callerPres = call.presentation;
    // ARI's GET /channels/{id}/variable evaluates dialplan functions too: PJSIP_HEADER reads the INVITE.
    for (const [name, value] of Object.entries(call.headers ?? {})) ch.vars.set(`PJSIP_HEADER(read,${name})`, value);
    // An INVITE from the carrier carries no connected-line identity yet (trace p).
    ch.connected = { name: '', number: '' };
    pbx.sched.after(0, () => {
      runLocalContext(this.core, ch, settings.contexts.trunk, call.to);
    });
    // The carrier's BYE: ChannelHangupRequest without a cause (trace p).
    if (call.hangupAfterMs !== undefined) pbx.later(ch, call.hangupAfterMs, () => pbx.hangup(ch, { cause: 16, request: {} }));
    return { pstnChannelId: ch.id, channelId: ch.id };
  }

  /**
   * The far end hangs up: the PSTN caller (;1 of an inbound call), a SIP phone (BYE: no cause in
   * ChannelHangupRequest), or the device behind an originated Local channel (its ;2 half hangs up).
   */
  async hangup(channelId: string, cause = 16): Promise<void> {
    const { pbx } = this.core;
    const ch = pbx.channels.get(channelId);
    if (!ch) throw new SimError('SIM_NO_CHANNEL', `no channel ${channelId}`);
    if (ch.tech === 'PJSIP') return pbx.hangup(ch, { cause, request: {} });
    if (ch.partner && ch.partner.origin === 'internal' && !ch.partner.hangingUp) return pbx.hangup(ch.partner, { cause });
    pbx.hangup(ch, { cause });
  }

  /**
   * The answered target blind-transfers its peer to `exten@context`, as Asterisk does it for a
   * two-party bridge (ast_bridge_transfer_blind): a Local channel to the target takes the
   * transferer's place in the bridge. Pushed into a Stasis bridge, its `;1` half enters Stasis
   * itself, its StasisStart naming the channel it replaces (`replace_channel`, stasis_bridge.c);
   * the `;2` half runs the dialplan at the target. Then BridgeBlindTransfer, and the transferer's
   * phone hangs up. The transferee stays in the bridge, now talking to the target.
   */
  async transfer(channelId: string, t: { kind: 'blind'; exten: string; context: string }): Promise<void> {
    const { pbx } = this.core;
    const ch = pbx.channels.get(channelId);
    if (!ch) throw new SimError('SIM_NO_CHANNEL', `no channel ${channelId}`);
    const bridge = ch.bridgeId ? pbx.bridges.get(ch.bridgeId) : undefined;
    if (!bridge) throw new SimError('SIM_NOT_BRIDGED', `channel ${channelId} is not bridged`);
    const transferee = bridge.channels.map((id) => pbx.channels.get(id)).find((c) => c && c !== ch);
    const app = ch.stasisApp;
    const base = `Local/${t.exten}@${t.context}-${pbx.ids.nameSuffix('Local')}`;
    const dp = { context: t.context, exten: t.exten, priority: 1, app_name: '', app_data: '' };
    const one = pbx.newChannel('Local', `${base};1`, 'internal', { ...ch.caller }, dp);
    const two = pbx.newChannel('Local', `${base};2`, 'internal', { ...(transferee?.caller ?? ch.caller) }, dp);
    one.partner = two;
    two.partner = one;
    one.state = 'Up';
    if (app) {
      one.subs.add(app);
      one.stasisApp = app;
      pbx.emitChannel('StasisStart', one, { args: [], replace_channel: ch.toJson() });
    }
    pbx.removeFromBridge(ch);
    pbx.addToBridge(bridge, [one]);
    const apps = new Set([...ch.subs, ...bridge.subs, ...(transferee?.subs ?? [])]);
    pbx.bus.publish('BridgeBlindTransfer', {
      channel: ch.toJson(), ...(transferee ? { transferee: transferee.toJson() } : {}), replace_channel: one.toJson(), bridge: bridge.toJson(),
      exten: t.exten, context: t.context, result: 'Success', is_external: true,
    }, apps);
    pbx.sched.after(0, () => runLocalContext(this.core, two, t.context, t.exten));
    pbx.hangup(ch, { cause: 16, request: {} });
  }

  /** Terminate every event WebSocket abruptly (ari-client reconnects by itself, trace g). */
  dropWebSockets(): number {
    return this.bus.dropAll();
  }

  /** Apps that have an open event WebSocket right now. */
  connectedApps(): string[] {
    return this.bus.knownApps().filter((a) => this.bus.isActive(a));
  }

  /** Live channels. */
  channels(): ChannelSnapshot[] {
    return [...this.core.pbx.channels.values()].map((c) => ({ ...c.toJson(), ...(c.bridgeId ? { bridge_id: c.bridgeId } : {}), ...(c.stasisApp ? { stasis_app: c.stasisApp } : {}) }));
  }

  /** Live bridges. */
  bridges(): BridgeJson[] {
    return [...this.core.pbx.bridges.values()].map((b) => b.toJson());
  }

  /** Voicemail messages recorded so far. */
  voicemails(): VoicemailEntry[] {
    return this.core.pbx.voicemails.map((v) => ({ ...v }));
  }

  /** Calls that took the fail-safe route because Stasis() failed. */
  failsafeCalls(): FailsafeEntry[] {
    return this.core.pbx.failsafe.map((f) => ({ ...f, steps: [...f.steps] }));
  }

  /** Every originate as received (dial string and caller id), including the simulator's own inbound calls. */
  originates(): OriginateRecord[] {
    return this.core.pbx.originates.map((o) => ({ ...o }));
  }

  /** What the simulated dialplan did, line by line. */
  dialplanLog(): string[] {
    return [...this.core.pbx.log];
  }

  /** Highest number of simultaneously open HTTP connections (the WebSocket included). */
  peakHttpSessions(): number {
    return this.server.sessions.peakSessions();
  }

  /** Connections open right now. */
  openHttpSessions(): number {
    return this.server.sessions.openSessions();
  }

  /** Forget all calls, devices and logs (sockets stay connected). */
  reset(): void {
    this.sched.clear();
    this.core.pbx.clear();
    this.core.devices.clear();
    this.core.deviceStates.clear();
    this.server.sessions.resetPeak();
  }

  /** Stop: clear every timer, close every socket and the server. */
  async stop(): Promise<void> {
    this.sched.stop();
    this.core.pbx.clear();
    await this.server.close();
  }
}
