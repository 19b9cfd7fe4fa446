/**
 * The simulated Asterisk core: channels, bridges, Stasis entry/exit, hangup and bridging, with the
 * event sequences a real Asterisk 22 produced in the reference recordings (../shared traces a–p).
 */
import { EventEmitter } from 'node:events';
import { ariTimestamp, IdAllocator, Scheduler } from './clock.js';
import { SimBridge } from './bridges.js';
import { CAUSE_TXT, SimChannel, type ChannelOrigin } from './channels.js';
import type { EventBus } from './events.js';
import type { CallerId, DialplanCep, FailsafeEntry, OriginateRecord, VoicemailEntry } from './types.js';

/** What ended a channel: the Q.850 cause, and how the hangup request looked on the wire. */
export interface HangupSpec {
  cause: number;
  /** The ChannelHangupRequest fields: an ARI DELETE is `{cause: 32, soft: true}`, a SIP BYE has no cause. */
  request?: { cause?: number; soft?: boolean; tech_cause?: number } | null;
  techCause?: number;
}

/** The core state of the simulated PBX. Routes and dialplan call into it; it never does I/O itself. */
export class SimPbx {
  readonly channels = new Map<string, SimChannel>();
  readonly bridges = new Map<string, SimBridge>();
  readonly ids = new IdAllocator();
  readonly voicemails: VoicemailEntry[] = [];
  readonly failsafe: FailsafeEntry[] = [];
  readonly originates: OriginateRecord[] = [];
  /** Human-readable log of what the simulated dialplan did (the fail-safe route above all). */
  readonly log: string[] = [];
  readonly startedAt = ariTimestamp();
  /** Told of every channel state change and destruction (device state follows them). */
  readonly channelWatchers: ((ch: SimChannel) => void)[] = [];

  constructor(
    readonly bus: EventBus,
    readonly sched: Scheduler,
    readonly emitter: EventEmitter,
  ) {}

  /** Create a channel and register it. */
  newChannel(tech: 'Local' | 'PJSIP', name: string, origin: ChannelOrigin, caller: CallerId, dialplan: DialplanCep, id?: string): SimChannel {
    const ch = new SimChannel(id ?? this.ids.uniqueId(), name, tech, origin, caller, dialplan);
    this.channels.set(ch.id, ch);
    // No app is subscribed to a channel yet when it is created, so only subscribeAll apps hear of
    // it (a real Asterisk sends them ChannelCreated; the simulator once sent it to nobody).
    this.bus.publish('ChannelCreated', { channel: ch.toJson() }, []);
    return ch;
  }

  /** Apps that get events for this channel. */
  private appsFor(ch: SimChannel, bridge?: SimBridge): Set<string> {
    const apps = new Set(ch.subs);
    if (bridge) for (const a of bridge.subs) apps.add(a);
    return apps;
  }

  /** Publish a channel event to the apps subscribed to it. */
  emitChannel(type: string, ch: SimChannel, extra: Record<string, unknown> = {}): void {
    this.bus.publish(type, { ...extra, channel: ch.toJson() }, this.appsFor(ch));
  }

  /** Publish a playback event to the apps of the channel it plays on. */
  emitPlayback(type: 'PlaybackStarted' | 'PlaybackFinished', ch: SimChannel, playback: Record<string, unknown>): void {
    this.bus.publish(type, { playback }, this.appsFor(ch));
  }

  /** Publish a `Dial` event about `peer` (ARI originate has no `caller` channel). */
  emitDial(peer: SimChannel, dialstatus: string, dialstring: string): void {
    this.bus.publish('Dial', { dialstatus, forward: '', dialstring, peer: peer.toJson() }, this.appsFor(peer));
  }

  /** ChannelStateChange, only when the state really changes. */
  setState(ch: SimChannel, state: SimChannel['state']): void {
    if (ch.state === state || ch.destroyed) return;
    ch.state = state;
    this.emitChannel('ChannelStateChange', ch);
    for (const w of this.channelWatchers) w(ch);
  }

  /** Set a channel variable (ChannelVarset). */
  setVar(ch: SimChannel, variable: string, value: string): void {
    ch.vars.set(variable, value);
    this.emitChannel('ChannelVarset', ch, { variable, value });
  }

  /** The channel runs a dialplan application (ChannelDialplan). */
  runApp(ch: SimChannel, app: string, data: string, priority = ch.dialplan.priority): void {
    ch.dialplan = { ...ch.dialplan, priority, app_name: app, app_data: data };
    this.emitChannel('ChannelDialplan', ch, { dialplan_app: app, dialplan_app_data: data });
  }

  /** Schedule work owned by a channel: cancelled when the channel hangs up. */
  later(ch: SimChannel, ms: number, fn: () => void): void {
    ch.cancels.push(this.sched.after(ms, () => {
      if (!ch.destroyed && !ch.hangingUp) fn();
    }));
  }

  /**
   * Stasis(app,args...). Fails (STASISSTATUS=FAILED, returns false) when no WebSocket serves the app:
   * Asterisk then continues in the dialplan (trace g2).
   */
  enterStasis(ch: SimChannel, app: string, args: string[]): boolean {
    ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    if (!this.bus.isActive(app)) {
      ch.vars.set('STASISSTATUS', 'FAILED');
      this.log.push(`${ch.id}: Stasis(${app}) FAILED: app not active`);
      return false;
    }
    // The STASISSTATUS reset is only seen by apps already subscribed (originated channels).
    this.setVar(ch, 'STASISSTATUS', '');
    ch.subs.add(app);
    ch.stasisApp = app;
    this.emitChannel('StasisStart', ch, { args });
    return true;
  }

  /** Leave Stasis (hangup or /continue). Dialplan-entered channels lose their subscription here. */
  leaveStasis(ch: SimChannel): void {
    const app = ch.stasisApp;
    if (!app) return;
    this.emitChannel('StasisEnd', ch);
    ch.stasisApp = undefined;
    // Asterisk quirk: after StasisEnd nothing more is delivered for a channel that came in through
    // dialplan Stasis(), unless the app subscribed to it explicitly.
    if (ch.origin !== 'originate' && !ch.explicitSubs.has(app)) ch.subs.delete(app);
    this.setVar(ch, 'STASISSTATUS', 'SUCCESS');
  }

  /**
   * Hang a channel up with the event order Asterisk produces: ChannelHangupRequest, leave the bridge,
   * StasisEnd, the PBX's own soft hangup for dialplan channels, then the Local partner and ChannelDestroyed.
   */
  hangup(ch: SimChannel, spec: HangupSpec): void {
    if (ch.hangingUp || ch.destroyed) return;
    ch.hangingUp = true;
    ch.cancelTimers();
    if (spec.request !== null) this.emitChannel('ChannelHangupRequest', ch, spec.request ?? { cause: spec.cause });
    if (ch.dialing && !ch.dialing.answered) {
      this.emitDial(ch, 'NOANSWER', ch.dialing.dialstring);
      ch.dialing = undefined;
    }
    if (ch.bridgeId) this.removeFromBridge(ch);
    if (ch.stasisApp) this.leaveStasis(ch);
    if (ch.origin !== 'originate') this.emitChannel('ChannelHangupRequest', ch, { cause: 16, soft: true });
    const partner = ch.partner;
    if (partner && !partner.hangingUp) {
      // The ;1 half of an originated Local pair outlives its ;2 half by a moment (traces a, b, e).
      if (ch.name.endsWith(';1')) {
        this.hangup(partner, { cause: spec.cause });
        this.destroy(ch, spec.cause, spec.techCause);
      } else {
        this.destroy(ch, spec.cause, spec.techCause);
        this.hangup(partner, { cause: spec.cause });
      }
      return;
    }
    this.destroy(ch, spec.cause, spec.techCause);
  }

  /** ChannelDestroyed and removal. */
  destroy(ch: SimChannel, cause: number, techCause?: number): void {
    if (ch.destroyed) return;
    ch.hangingUp = true;
    ch.destroyed = true;
    ch.cancelTimers();
    for (const fn of ch.beforeDestroy.splice(0)) fn();
    if (ch.bridgeId) this.removeFromBridge(ch);
    // What the snapshot shows at destruction: originated channels are back on their dial stub.
    ch.dialplan = ch.origin === 'originate'
      ? { ...ch.dialplan, app_name: 'AppDial2', app_data: '(Outgoing Line)' }
      : { ...ch.dialplan, app_name: '', app_data: '' };
    const body: Record<string, unknown> = { cause, cause_txt: CAUSE_TXT[cause] ?? 'Unknown' };
    if (techCause !== undefined) body.tech_cause = techCause;
    this.emitChannel('ChannelDestroyed', ch, body);
    this.channels.delete(ch.id);
    ch.subs.clear();
    for (const fn of ch.onDestroy.splice(0)) fn();
    this.pruneApps();
    for (const w of this.channelWatchers) w(ch);
    this.emitter.emit('channel-gone', { id: ch.id, name: ch.name, cause, at: ariTimestamp() });
  }

  /** Add channels to a bridge (ChannelEnteredBridge), then the peer variables and connected-line updates. */
  addToBridge(bridge: SimBridge, chans: SimChannel[]): void {
    for (const ch of chans) {
      if (ch.bridgeId === bridge.id) continue;
      if (ch.bridgeId) this.removeFromBridge(ch);
      ch.bridgeId = bridge.id;
      bridge.channels.push(ch.id);
      if (ch.stasisApp) bridge.subs.add(ch.stasisApp);
      this.bus.publish('ChannelEnteredBridge', { bridge: bridge.toJson(), channel: ch.toJson() }, this.appsFor(ch, bridge));
    }
    const members = bridge.channels.map((id) => this.channels.get(id)).filter((c): c is SimChannel => !!c);
    if (members.length < 2) return;
    const order = [...chans.filter((c) => members.includes(c)), ...members.filter((c) => !chans.includes(c))];
    for (const ch of order) {
      const others = members.filter((m) => m !== ch);
      const peerName = others.map((o) => o.name).join(',');
      if (ch.vars.get('BRIDGEPEER') !== peerName) this.setVar(ch, 'BRIDGEPEER', peerName);
      const first = others[0];
      if (ch.tech === 'PJSIP' && first && first.tech === 'PJSIP') this.setVar(ch, 'BRIDGEPVTCALLID', first.protocolId);
    }
    for (const ch of [...order].reverse()) {
      const other = members.find((m) => m !== ch);
      if (!other) continue;
      if (ch.connected.name === other.caller.name && ch.connected.number === other.caller.number) continue;
      ch.connected = { ...other.caller };
      this.emitChannel('ChannelConnectedLine', ch);
    }
    // The ;2 half of a bridged Local channel is not in the bridge itself, but reacts to it.
    for (const ch of members) {
      const hook = ch.partner?.onBridged;
      const other = members.find((m) => m !== ch);
      if (hook && ch.partner && other) {
        ch.partner.onBridged = undefined;
        hook(other);
      }
    }
    this.emitter.emit('bridged', { bridgeId: bridge.id, channels: [...bridge.channels] });
  }

  /** Take a channel out of its bridge (ChannelLeftBridge), clearing BRIDGEPEER first as Asterisk does. */
  removeFromBridge(ch: SimChannel): void {
    const bridge = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    ch.bridgeId = undefined;
    if (!bridge) return;
    const i = bridge.channels.indexOf(ch.id);
    if (i >= 0) bridge.channels.splice(i, 1);
    if (ch.vars.get('BRIDGEPEER')) {
      this.setVar(ch, 'BRIDGEPEER', '');
      if (ch.vars.has('BRIDGEPVTCALLID')) this.setVar(ch, 'BRIDGEPVTCALLID', '');
    }
    this.bus.publish('ChannelLeftBridge', { bridge: bridge.toJson(), channel: ch.toJson() }, this.appsFor(ch, bridge));
  }

  /** Destroy a bridge: its channels leave (they stay in Stasis), then BridgeDestroyed. */
  destroyBridge(bridge: SimBridge): void {
    for (const id of [...bridge.channels]) {
      const ch = this.channels.get(id);
      if (ch) this.removeFromBridge(ch);
    }
    this.bridges.delete(bridge.id);
    this.bus.publish('BridgeDestroyed', { bridge: bridge.toJson() }, bridge.subs);
    bridge.subs.clear();
    this.pruneApps();
  }

  /** Whether an app still exists: connected, or holding subscriptions while inactive. */
  appExists(app: string): boolean {
    if (this.bus.isActive(app)) return true;
    for (const ch of this.channels.values()) if (ch.subs.has(app)) return true;
    for (const b of this.bridges.values()) if (b.subs.has(app)) return true;
    return false;
  }

  /** Asterisk destroys an app that has no socket and no subscriptions left. */
  pruneApps(): void {
    for (const app of this.bus.knownApps()) if (!this.appExists(app)) this.bus.forget(app);
  }

  /** ARI `Application` JSON. */
  applicationJson(app: string): Record<string, unknown> {
    return {
      name: app,
      channel_ids: [...this.channels.values()].filter((c) => c.subs.has(app)).map((c) => c.id),
      bridge_ids: [...this.bridges.values()].filter((b) => b.subs.has(app)).map((b) => b.id),
      endpoint_ids: [],
      device_names: [],
      events_allowed: this.bus.filterOf(app).allowed.map((type) => ({ type })),
      events_disallowed: this.bus.filterOf(app).disallowed.map((type) => ({ type })),
    };
  }

  /** Hang up everything silently and forget all state (used by reset()). */
  clear(): void {
    for (const ch of this.channels.values()) ch.cancelTimers();
    this.channels.clear();
    this.bridges.clear();
    this.voicemails.length = 0;
    this.failsafe.length = 0;
    this.originates.length = 0;
    this.log.length = 0;
  }
}
