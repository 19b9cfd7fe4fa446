/**
 * The Asterisk backend: takes inbound channels from our Stasis app and hands each to the session
 * as a CallControl. Events are routed by channel/bridge id to the call that owns them; ids are
 * unregistered when the channel goes, so no listener outlives its channel.
 */
import { randomBytes } from 'node:crypto';
import { asteriskDefaults, type Config } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import type { AnsweredBy, CallControl, DeviceSink, PbxBackend, ReconcileInput, ReconcileResult, StoredCall } from '../../call/contract.js';
import { AriDeviceWatcher } from './devices.js';
import { AriRest, type AriBridge } from './rest.js';
import { eventFilterBody } from './event-filter.js';
import { AriEvents, type AriEvent } from './events.js';
import { AsteriskCall, LEG_APP_ARG, type AsteriskSnapshot } from './call.js';
import { playbackChannel } from './decode.js';

export interface AsteriskBackendOptions {
  config: Config;
  log: Logger;
}

type AsteriskSettings = NonNullable<Config['asterisk']>;

/** The `asterisk` config section, or the schema's defaults where the config leaves it out. */
export function asteriskSettings(config: Config): AsteriskSettings {
  return config.asterisk ?? asteriskDefaults();
}

export class AsteriskBackend implements PbxBackend {
  readonly kind = 'asterisk' as const;
  readonly rest: AriRest;
  readonly events: AriEvents;
  private readonly owners = new Map<string, AsteriskCall>();
  private onCall: ((call: CallControl) => Promise<void>) | null = null;
  /** The config new calls are made with (dial templates); replaced on reload. */
  private config: Config;
  private accepting = true;
  private readonly settings: AsteriskSettings;
  // Every leg and bridge we create has an id starting `sb-`: after a restart, a channel in our app
  // with such an id is a leg of ours (never a caller), whichever run made it.
  private readonly idPrefix = `sb-${randomBytes(4).toString('hex')}`;
  private seq = 0;
  private readonly devices: AriDeviceWatcher;

  constructor(private readonly opts: AsteriskBackendOptions) {
    this.config = opts.config;
    this.settings = asteriskSettings(opts.config);
    const { url, username, password, app, maxSockets, requestTimeoutMs } = this.settings;
    this.rest = new AriRest({ url, username, password, maxSockets, timeoutMs: requestTimeoutMs });
    this.events = new AriEvents({
      url,
      username,
      password,
      app,
      log: opts.log.child({ component: 'ari' }),
      timeoutMs: requestTimeoutMs,
      // Our own GET of resources.json first: it has a timeout and keeps the HTTP status (a 401 is
      // reported as refused credentials instead of swagger-client's uncaught throw).
      probe: () => this.rest.request('GET', '/api-docs/resources.json'),
    });
    this.devices = new AriDeviceWatcher(this.rest, app, opts.config, opts.log.child({ component: 'devices' }));
    this.events.on('event', (e: AriEvent) => this.dispatch(e));
    // After every (re)connect: Asterisk may have made the app anew, without the filter.
    this.events.on('connected', () => void this.narrowEvents());
  }

  /** Ask Asterisk not to send the event types we never read (src/backend/asterisk/event-filter.ts). */
  private async narrowEvents(): Promise<void> {
    try {
      await this.rest.setEventFilter(this.settings.app, eventFilterBody());
    } catch (err) {
      // An Asterisk before 16.x has no event filter: every event still comes, and is ignored.
      this.opts.log.info({ err: (err as Error).message }, 'ARI event filter not set: receiving every event type');
    }
  }

  /** Device states from ARI from now on (section 6): subscribed and seeded after every connect. */
  watchDevices(sink: DeviceSink): void {
    this.devices.watch(sink);
    this.events.on('connected', () => void this.devices.connected());
  }

  async start(onCall: (call: CallControl) => Promise<void>, hooks: { connected?: () => void; disconnected?: () => void } = {}): Promise<void> {
    this.onCall = onCall;
    if (hooks.connected) this.events.on('connected', hooks.connected);
    if (hooks.disconnected) this.events.on('disconnected', hooks.disconnected);
    await this.events.start();
  }

  /**
   * After every (re)connect: list what Asterisk holds for our app and settle the difference.
   * Calls we track are resynced (events during the gap are lost, not replayed); stored calls of a
   * previous run are adopted or reported gone; legs nobody owns are hung up; callers sitting in
   * Stasis that nobody handles become new calls; bridges nobody owns are destroyed.
   */
  async reconcile(input: ReconcileInput): Promise<ReconcileResult> {
    // Calls and legs that appear while the snapshot is in flight are not in it: resync skips them.
    const takenAt = performance.now();
    const [app, channels, bridges] = await Promise.all([this.rest.getApplication(this.settings.app), this.rest.listChannels(), this.rest.listBridges()]);
    const live = new Map(channels.map((c) => [c.id, c]));
    const bridgeOf = new Map<string, AriBridge>();
    for (const b of bridges) for (const c of b.channels) bridgeOf.set(c, b);
    const inApp = new Set(app.channel_ids);
    this.opts.log.debug({ channels: channels.length, inApp: inApp.size, bridges: app.bridge_ids.length, tracked: this.owners.size }, 'reconciling');
    const result: ReconcileResult = { resumed: [], gone: [], cleaned: [] };
    for (const call of new Set(this.owners.values())) call.resync(live, inApp, takenAt);
    for (const [id, stored] of input.stored) {
      if (input.active.has(id) || this.owners.has(id)) continue;
      const channel = live.get(id);
      if (!channel || !inApp.has(id)) {
        result.gone.push(stored);
        continue;
      }
      const found = fromPbx(stored, bridgeOf.get(id));
      const call = this.newCall(channel, []);
      call.adopt(found.pbx as AsteriskSnapshot, found.phase, live);
      result.resumed.push({ stored: found, control: call, answeredBy: answeredByOf(found) });
    }
    for (const id of inApp) {
      if (this.owners.has(id)) continue;
      const channel = live.get(id);
      if (!channel) continue;
      if (id.startsWith('sb-')) {
        result.cleaned.push(id);
        void this.rest.hangup(id, { reason: 'normal' }).catch(() => undefined);
      } else {
        // A caller whose StasisStart we never saw (it came while we were away): handle it now.
        this.opts.log.info({ channel: id }, 'caller found in Stasis with nobody handling it: taking the call');
        this.onStasisStart({ type: 'StasisStart', channel, args: [] });
      }
    }
    for (const id of app.bridge_ids) {
      if (this.owners.has(id)) continue;
      result.cleaned.push(id);
      void this.rest.destroyBridge(id).catch(() => undefined);
    }
    return result;
  }

  /**
   * A reloaded config: new calls dial with its templates (calls in progress keep theirs). The ARI
   * connection itself (url, user, password, app) changes only with a restart: say so.
   */
  updateConfig(config: Config): void {
    const next = asteriskSettings(config);
    const changed = (['url', 'username', 'password', 'app'] as const).filter((k) => next[k] !== this.settings[k]);
    if (changed.length) this.opts.log.warn({ changed }, 'ARI connection settings changed: they take effect at the next restart');
    this.config = config;
    this.devices.update(config);
  }

  /** Send a caller in our app on to the fail-safe context (company phone, then company mailbox). */
  async toFailsafe(channelId: string): Promise<void> {
    await this.rest.continueInDialplan(channelId, this.settings.failsafeContext, 's', 1);
  }

  /** Take no new calls (calls in progress go on). */
  stopAccepting(): void {
    this.accepting = false;
  }

  async stop(): Promise<void> {
    this.accepting = false;
    await this.events.stop();
    this.rest.close();
  }

  isConnected(): boolean {
    return this.events.isConnected();
  }

  /** Why this controller takes no calls although it could connect: its app was taken over. */
  refusingReason(): string | null {
    return this.events.replaced();
  }

  /** Why the ARI connection is down (null while up), e.g. refused credentials. */
  disconnectedReason(): string | null {
    return this.events.disconnectedReason();
  }

  /** Calls being handled right now. */
  activeCalls(): number {
    return new Set(this.owners.values()).size;
  }

  private newId(): string {
    return `${this.idPrefix}-${(this.seq++).toString(36)}`;
  }

  private register(id: string, call: AsteriskCall | null): void {
    if (call) this.owners.set(id, call);
    else this.owners.delete(id);
  }

  private dispatch(event: AriEvent): void {
    try {
      if (this.devices.onEvent(event)) return;
      const ids = eventIds(event);
      const owner = ids.map((id) => this.owners.get(id)).find((o) => o !== undefined);
      if (owner) return owner.onEvent(event);
      if (event.type === 'StasisStart') return this.onStasisStart(event);
      this.opts.log.trace({ type: event.type, ids }, 'event for a channel we do not handle');
    } catch (err) {
      // One bad event must never take the controller down.
      this.opts.log.error({ err: (err as Error).message, type: event?.type }, 'event handling failed');
    }
  }

  /**
   * A new call while we take none (draining). Behind the shipped Kamailio, with another node left
   * to try, 503 (cause 34) so that Kamailio sends it there, as the dialplan does when no
   * controller is connected; else the fail-safe route (company phone, then company mailbox).
   */
  private async handBack(channel: { id: string; name?: unknown }, log: Logger): Promise<void> {
    // Only a PJSIP channel has headers (and only a real Asterisk answers for the function).
    const pjsip = typeof channel.name === 'string' && channel.name.startsWith('PJSIP/');
    const offered = pjsip ? await this.rest.getVariable(channel.id, FAILOVER_HEADER).catch(() => null) : null;
    if (offered === 'yes') {
      log.info('not accepting calls: 503, so that the SIP proxy sends the call to another node');
      await this.rest.hangup(channel.id, { reason: 'congestion' }).catch(() => undefined);
      return;
    }
    log.info('not accepting calls: sending the call to the fail-safe route');
    await this.rest.continueInDialplan(channel.id, this.settings.failsafeContext, 's', 1).catch(() => undefined);
  }

  private newCall(channel: { id: string }, args: string[]): AsteriskCall {
    const call = new AsteriskCall(channel, args, {
      rest: this.rest,
      app: this.settings.app,
      voicemailContext: this.settings.voicemailContext,
      templates: { endpoint: this.config.endpoints.asterisk, trunk: this.config.trunks.default!.asterisk },
      log: this.opts.log.child({ channel: channel.id }),
      register: (id, c) => this.register(id, c),
      newId: () => this.newId(),
    });
    this.register(channel.id, call);
    return call;
  }

  private onStasisStart(event: AriEvent): void {
    const channel = event.channel as { id?: unknown; name?: unknown } | undefined;
    const args = Array.isArray(event.args) ? event.args.map(String) : [];
    if (!channel || typeof channel.id !== 'string') return;
    if (this.owners.has(channel.id)) return; // already taken (by reconcile)
    const log = this.opts.log.child({ channel: channel.id });
    if (args[0] === LEG_APP_ARG) {
      // A leg of ours that no live call owns (its call ended, or we restarted): nobody will bridge it.
      log.info('orphan leg entered Stasis: hanging it up');
      void this.rest.hangup(channel.id).catch(() => undefined);
      return;
    }
    if (!this.accepting || !this.onCall) {
      void this.handBack(channel as { id: string; name?: unknown }, log);
      return;
    }
    const call = this.newCall(channel as { id: string }, args);
    const onCall = this.onCall;
    void onCall(call)
      .catch((err) => log.error({ err: (err as Error).message }, 'call session failed'))
      .finally(() => call.dispose());
  }
}

/** Set by the shipped Kamailio (deploy/kamailio/) while another node could take the call. */
const FAILOVER_HEADER = 'PJSIP_HEADER(read,X-Switchboard-Failover)';

/**
 * The stored state is written behind the call (group commit), so a controller killed a few
 * milliseconds after an answer may have stored "ringing". What Asterisk holds is the truth: a
 * caller that sits in a bridge with another channel is a bridged call, whatever the store says.
 */
function fromPbx(stored: StoredCall, bridge: AriBridge | undefined): StoredCall {
  const snap = (stored.pbx ?? { legs: [], winner: null, bridgeId: null }) as AsteriskSnapshot;
  const other = bridge?.channels.find((c) => c !== stored.id);
  if (!bridge || !other) return stored;
  const leg = snap.legs.find((l) => l.channelId === other);
  return { ...stored, phase: 'bridged', pbx: { ...snap, winner: { key: leg?.key ?? 'recovered', channelId: other }, bridgeId: bridge.id } };
}

/** Who is bridged with the caller, by the snapshot's leg of the winning channel. */
function answeredByOf(stored: StoredCall): AnsweredBy | null {
  const snap = stored.pbx as AsteriskSnapshot | null;
  const leg = snap?.legs.find((l) => l.channelId === snap.winner?.channelId);
  return leg ? { user: leg.user, device: leg.device } : null;
}

/** The channel and bridge ids an event is about. */
function eventIds(event: AriEvent): string[] {
  const ids: string[] = [];
  for (const key of ['channel', 'peer', 'bridge', 'replace_channel', 'transferee', 'transferer_first_leg', 'transferer_second_leg']) {
    const v = event[key] as { id?: unknown } | undefined;
    if (v && typeof v.id === 'string') ids.push(v.id);
  }
  // Playback events name their channel only in `target_uri` (a confirming leg's prompt, section 8).
  const target = playbackChannel(event.playback);
  if (target) ids.push(target);
  return ids;
}
