/**
 * Device and endpoint state in the ARI simulator (spec section 6), as chan_pjsip reports it: a
 * PJSIP endpoint with no registered contact is `offline` and its device `UNAVAILABLE`; a registered
 * one is `NOT_INUSE`, `RINGING` while a channel to it rings, `INUSE` while one is up (also a call
 * the controller never placed: `foreignCall`), `RINGINUSE` for both. Apps subscribed to
 * `deviceState:PJSIP/<ep>` get `DeviceStateChanged` on every change; apps subscribed to
 * `endpoint:PJSIP/<ep>` (or `endpoint:PJSIP`) get, when it registers or unregisters, what the real
 * Asterisk 22 sends (test/fixtures/asterisk-real/sip-calls.jsonl): `PeerStatusChange` (peer_status
 * Reachable / Unreachable) and `ContactStatusChange` (contact_status NonQualified / Removed), with
 * DeviceStateChanged between them on unregister and before them on register; never
 * EndpointStateChange. Not modelled: the channel events an endpoint subscription also forwards.
 */
import type { DeviceRegistry } from './endpoints.js';
import type { SimPbx } from './pbx.js';
import type { SimChannel } from './channels.js';

export class SimDeviceStates {
  private readonly unregistered = new Set<string>();
  private readonly foreign = new Map<string, number>();
  private readonly ringingForeign = new Set<string>();
  private readonly deviceSubs = new Map<string, Set<string>>();
  private readonly endpointSubs = new Map<string, Set<string>>();
  private readonly last = new Map<string, string>();

  constructor(
    private readonly pbx: SimPbx,
    private readonly devices: DeviceRegistry,
  ) {
    pbx.channelWatchers.push((ch) => this.onChannel(ch));
  }

  isRegistered(endpoint: string): boolean {
    return !this.unregistered.has(endpoint) && this.devices.explicit(`PJSIP/${endpoint}`)?.kind !== 'unreachable';
  }

  /** A phone registers (true) or its registration ends (false). */
  setRegistered(endpoint: string, on: boolean): void {
    if (on) this.unregistered.delete(endpoint);
    else this.unregistered.add(endpoint);
    const ep = { technology: 'PJSIP', resource: endpoint, state: on ? 'online' : 'offline', channel_ids: this.channelsOf(endpoint).map((c) => c.id) };
    const apps = this.appsFor(this.endpointSubs, [`PJSIP/${endpoint}`, 'PJSIP']);
    const peer = () => this.pbx.bus.publish('PeerStatusChange', { endpoint: ep, peer: { peer_status: on ? 'Reachable' : 'Unreachable' } }, apps);
    if (on) this.publish(endpoint);
    peer();
    if (!on) this.publish(endpoint);
    const contact = { uri: `sip:${endpoint}@127.0.0.1:5062`, contact_status: on ? 'NonQualified' : 'Removed', aor: endpoint, roundtrip_usec: '0' };
    this.pbx.bus.publish('ContactStatusChange', { endpoint: ep, contact_info: contact }, apps);
  }

  /**
   * The phone is on a call Switchboard never saw (another app or the dialplan rang it and it
   * answered): RINGING, then INUSE, as the real Asterisk reports such a call; NOT_INUSE at its end.
   */
  foreignCall(endpoint: string, on: boolean): void {
    if (on) {
      this.ringingForeign.add(endpoint);
      this.publish(endpoint);
      this.ringingForeign.delete(endpoint);
    }
    const n = Math.max(0, (this.foreign.get(endpoint) ?? 0) + (on ? 1 : -1));
    this.foreign.set(endpoint, n);
    this.publish(endpoint);
  }

  /** ast_device_state for `PJSIP/<endpoint>`. */
  state(endpoint: string): string {
    if (!this.isRegistered(endpoint)) return 'UNAVAILABLE';
    const chans = this.channelsOf(endpoint);
    const up = chans.some((c) => c.state === 'Up') || (this.foreign.get(endpoint) ?? 0) > 0;
    const ringing = chans.some((c) => c.state === 'Ringing' || c.state === 'Ring') || this.ringingForeign.has(endpoint);
    if (up) return ringing ? 'RINGINUSE' : 'INUSE';
    return ringing ? 'RINGING' : 'NOT_INUSE';
  }

  /** `eventSource` schemes `deviceState:` and `endpoint:` of POST/DELETE /applications/{app}/subscription. */
  subscribe(app: string, scheme: 'deviceState' | 'endpoint', id: string, on: boolean): void {
    const map = scheme === 'deviceState' ? this.deviceSubs : this.endpointSubs;
    const set = map.get(id) ?? new Set<string>();
    if (on) set.add(app);
    else set.delete(app);
    map.set(id, set);
  }

  /**
   * Stand-ins for the channels of calls Switchboard never placed, as `GET /endpoints` lists them
   * in `channel_ids` (on a real Asterisk those calls are channels; here they are only a count).
   */
  foreignChannelIds(endpoint: string): string[] {
    return Array.from({ length: this.foreign.get(endpoint) ?? 0 }, (_, i) => `foreign-${endpoint}-${i + 1}`);
  }

  clear(): void {
    this.unregistered.clear();
    this.foreign.clear();
    this.last.clear();
  }

  private onChannel(ch: SimChannel): void {
    if (ch.tech !== 'PJSIP') return;
    this.publish(endpointOf(ch));
  }

  private publish(endpoint: string): void {
    const state = this.state(endpoint);
    const name = `PJSIP/${endpoint}`;
    if ((this.last.get(name) ?? 'NOT_INUSE') === state) return;
    this.last.set(name, state);
    this.pbx.bus.publish('DeviceStateChanged', { device_state: { name, state } }, this.appsFor(this.deviceSubs, [name]));
  }

  private appsFor(map: Map<string, Set<string>>, ids: string[]): Set<string> {
    const out = new Set<string>();
    for (const id of ids) for (const app of map.get(id) ?? []) out.add(app);
    return out;
  }

  private channelsOf(endpoint: string): SimChannel[] {
    return [...this.pbx.channels.values()].filter((c) => c.tech === 'PJSIP' && !c.destroyed && endpointOf(c) === endpoint);
  }
}

/** `PJSIP/1001-00000003` -> `1001`. */
function endpointOf(ch: SimChannel): string {
  return ch.name.slice('PJSIP/'.length).replace(/-[0-9a-f]{8}$/, '');
}
