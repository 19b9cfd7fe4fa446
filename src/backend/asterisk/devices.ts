/**
 * Device state from Asterisk (spec section 6), kept by the controller in memory and never asked for
 * on a call's path. After every (re)connect: subscribe our app to `deviceState:PJSIP/<ep>` and
 * `endpoint:PJSIP/<ep>` for every desk phone and softphone in the config (in batches: see
 * subscribe.ts), then seed from
 * `GET /endpoints` (events missed while the socket was down are not replayed). From then on
 * `DeviceStateChanged` and `EndpointStateChange` keep it current.
 */
import type { Config } from '../../config/schema.js';
import type { DeviceSink } from '../../call/contract.js';
import type { Logger } from '../../log.js';
import type { DeviceState } from '../../routing/availability.js';
import { configuredEndpoints } from '../../routing/users.js';

export { configuredEndpoints };
import type { AriEvent } from './events.js';
import type { AriRest } from './rest.js';
import { subscribeAll } from './subscribe.js';

/** Asterisk's device states (ast_device_state) in section 6's words. */
const FROM_ASTERISK: Record<string, DeviceState> = {
  UNKNOWN: 'unknown',
  NOT_INUSE: 'idle',
  INUSE: 'in-use',
  BUSY: 'in-use',
  ONHOLD: 'in-use',
  RINGINUSE: 'in-use', // on a call, and ringing for another one
  RINGING: 'ringing',
  UNAVAILABLE: 'unavailable',
  INVALID: 'unavailable', // no such endpoint: nothing to ring
};

export function deviceStateOf(asterisk: unknown): DeviceState {
  return (typeof asterisk === 'string' && FROM_ASTERISK[asterisk]) || 'unknown';
}

/**
 * The technology/resource a SIP endpoint is dialled as, from the endpoint template: only a plain
 * `TECH/{endpoint}` names one device; anything fancier (a Local channel, a dial-string suffix) is
 * a device state Asterisk cannot tell us, so it stays unknown.
 */
export function deviceTech(template: string): string | null {
  const m = /^([A-Za-z]+)\/\{endpoint\}$/.exec(template);
  return m ? m[1]! : null;
}

interface AriEndpoint {
  technology?: string;
  resource?: string;
  state?: string;
  channel_ids?: string[];
}

export class AriDeviceWatcher {
  private sink: DeviceSink | null = null;
  private tech: string | null;
  private endpoints: string[];

  constructor(
    private readonly rest: Pick<AriRest, 'request'>,
    private readonly app: string,
    config: Config,
    private readonly log: Pick<Logger, 'warn' | 'info' | 'debug'>,
  ) {
    this.tech = deviceTech(config.endpoints.asterisk);
    this.endpoints = configuredEndpoints(config);
  }

  watch(sink: DeviceSink): void {
    this.sink = sink;
  }

  /** A reloaded config: its endpoints are subscribed on the next connect, and now. */
  update(config: Config): void {
    this.tech = deviceTech(config.endpoints.asterisk);
    this.endpoints = configuredEndpoints(config);
    void this.connected();
  }

  /** Subscribe and seed; failures are logged, and the states stay what they were. */
  async connected(): Promise<void> {
    if (!this.sink || !this.tech || this.endpoints.length === 0) return;
    const tech = this.tech;
    const sources = this.endpoints.flatMap((ep) => [`deviceState:${tech}/${ep}`, `endpoint:${tech}/${ep}`]);
    try {
      // Subscribe first, then read: a change between the two is in the events, not lost.
      const refused = await subscribeAll(this.rest, this.app, sources);
      if (refused.length > 0) {
        this.log.warn({ sources: refused.slice(0, 20), count: refused.length }, 'the PBX does not know these endpoints of the config (not in pjsip.conf?): their state is not followed');
      }
      const list = await this.rest.request<AriEndpoint[]>('GET', `/endpoints/${encodeURIComponent(tech)}`);
      const wanted = new Set(this.endpoints);
      const seed: [string, DeviceState][] = [];
      for (const e of Array.isArray(list) ? list : []) {
        if (typeof e.resource !== 'string' || !wanted.has(e.resource)) continue;
        // A PJSIP endpoint that never registered since Asterisk started is `unknown`, not offline
        // (seen on Asterisk 22): its device state says what it is (UNAVAILABLE).
        const s = e.state === 'unknown' ? await this.deviceState(tech, e.resource) : endpointState(e);
        seed.push([e.resource, s]);
      }
      this.sink.seed(seed);
      this.log.info({ endpoints: seed.length }, 'device states seeded from the PBX');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'device state subscription or seed failed: states stay as they were until the next event or reconnect');
    }
  }

  /** True when the event was a device-state event (handled here). */
  onEvent(event: AriEvent): boolean {
    if (event.type === 'DeviceStateChanged') {
      const ds = event.device_state as { name?: unknown; state?: unknown } | undefined;
      const ep = this.endpointOf(ds?.name);
      if (ep && this.sink) this.sink.set(ep, deviceStateOf(ds?.state));
      return true;
    }
    // Asterisk 22's chan_pjsip reports (un)registration as PeerStatusChange (recorded), others may
    // send EndpointStateChange: the endpoint snapshot in either says offline or online.
    if (event.type === 'EndpointStateChange' || event.type === 'PeerStatusChange') {
      const e = event.endpoint as AriEndpoint | undefined;
      if (e && e.technology === this.tech && typeof e.resource === 'string' && this.endpoints.includes(e.resource) && this.sink) {
        // Offline is final; online says only "reachable again": the device state event that
        // Asterisk sends with it (or the channel count) says idle or in use.
        this.sink.set(e.resource, endpointState(e));
      }
      return true;
    }
    return false;
  }

  private async deviceState(tech: string, ep: string): Promise<DeviceState> {
    try {
      const d = await this.rest.request<{ state?: unknown }>('GET', `/deviceStates/${encodeURIComponent(`${tech}/${ep}`)}`);
      return deviceStateOf(d?.state);
    } catch {
      return 'unknown';
    }
  }

  private endpointOf(name: unknown): string | null {
    if (typeof name !== 'string' || !this.tech) return null;
    const prefix = `${this.tech}/`;
    if (!name.startsWith(prefix)) return null;
    const ep = name.slice(prefix.length);
    return this.endpoints.includes(ep) ? ep : null;
  }
}

/** An endpoint's state as a device state: offline is unavailable; online is idle or (with channels) in use. */
function endpointState(e: AriEndpoint): DeviceState {
  if (e.state === 'offline') return 'unavailable';
  if (e.state !== 'online') return 'unknown';
  return (e.channel_ids?.length ?? 0) > 0 ? 'in-use' : 'idle';
}
