/**
 * Device state from FreeSWITCH (spec section 6), kept in memory and never asked for on a call's
 * path. The inbound ESL connection subscribes to the registration events (CUSTOM sofia::register,
 * sofia::unregister, sofia::expire) beside the channel events it already reads; after every
 * (re)connect the states are seeded from `show registrations as json` and `show channels as json`
 * (events missed while the socket was down are not replayed).
 *
 * What the real FreeSWITCH 1.10.12 sends (test/fixtures/freeswitch-real/devices-inbound.jsonl):
 * `sofia::register` / `sofia::unregister` name the phone in `from-user` (the AOR user; `username`
 * is the digest user), `sofia::expire` in `user`. A leg FreeSWITCH places through the directory
 * (`user/1001`, ours or anybody's) carries `variable_dialed_user`; every sofia channel of a phone
 * carries `Channel-Presence-ID: 1001@domain`, which is all `show channels` gives for a seed. An
 * originate to an unregistered user fails before any channel exists (USER_NOT_REGISTERED).
 *
 * Only a plain `user/{endpoint}` template names one directory user; anything else (loopback, a
 * gateway, a dial-string suffix) is a device whose state FreeSWITCH cannot tell us: `unknown`.
 */
import type { Config } from '../../config/schema.js';
import type { DeviceSink } from '../../call/contract.js';
import type { Logger } from '../../log.js';
import type { DeviceState } from '../../routing/availability.js';
import type { EslEvent } from '../../esl/protocol.js';
import { configuredEndpoints } from '../../routing/users.js';

/** The events this watcher reads on the inbound connection (CUSTOM last: names after it are subclasses). */
export const DEVICE_EVENTS = ['CUSTOM', 'sofia::register', 'sofia::unregister', 'sofia::expire'] as const;

/** Channels that have ended are kept this long so a seed racing their hangup cannot revive them. */
const ENDED_KEEP = 1000;

interface Chan {
  user: string;
  inbound: boolean;
  answered: boolean;
}

export function usesDirectoryUsers(template: string): boolean {
  return template === 'user/{endpoint}';
}

export class FsDeviceWatcher {
  private sink: DeviceSink | null = null;
  private enabled: boolean;
  private endpoints: Set<string>;
  /**
   * user -> her registrations (their Call-IDs). A phone keeps its Call-ID across REGISTERs, so two
   * Call-IDs are two registrations: a desk phone registered twice, or one user on two contacts.
   */
  private readonly registered = new Map<string, Set<string>>();
  /** Bumped per user on every registration event: a verify answered after a newer event is stale. */
  private readonly regEpoch = new Map<string, number>();
  /** Sofia profiles phones registered on: a channel there with a presence ID is that phone's. */
  private readonly profiles = new Set<string>();
  private readonly chans = new Map<string, Chan>();
  private readonly ended: string[] = [];
  private readonly endedSet = new Set<string>();
  /**
   * Events seen while a seed is in flight. A reply's promise settles after the events behind it in
   * the same socket chunk were handled, so a snapshot can be older than an event already applied:
   * every event seen meanwhile is applied again after the snapshot (each one sets a state, so
   * replaying one the snapshot already reflects changes nothing).
   */
  private pending: EslEvent[] | null = null;

  constructor(
    private readonly inbound: { api(cmd: string): Promise<string> },
    config: Config,
    private readonly log: Pick<Logger, 'warn' | 'info' | 'debug'>,
  ) {
    this.enabled = usesDirectoryUsers(config.endpoints.freeswitch);
    this.endpoints = new Set(configuredEndpoints(config));
  }

  watch(sink: DeviceSink): void {
    this.sink = sink;
  }

  /** A reloaded config: publish the states of its endpoints from what is already known. */
  update(config: Config): void {
    this.enabled = usesDirectoryUsers(config.endpoints.freeswitch);
    this.endpoints = new Set(configuredEndpoints(config));
    if (this.enabled) this.publishAll();
    else this.sink?.seed([]); // a template FreeSWITCH cannot report on: every device unknown
  }

  /** Seed from the switch; failures are logged, and the states stay what they were. */
  async connected(): Promise<void> {
    if (!this.sink || !this.enabled || this.endpoints.size === 0) return;
    this.pending = [];
    try {
      const regs = rowsOf(await this.inbound.api('show registrations as json'));
      const chans = rowsOf(await this.inbound.api('show channels as json'));
      this.registered.clear();
      for (const r of regs) {
        if (typeof r.reg_user === 'string') this.addRegistration(r.reg_user, String(r.token ?? ''));
        const profile = /^sofia\/([^/]+)\//.exec(String(r.url ?? ''))?.[1];
        if (profile) this.profiles.add(profile);
      }
      this.chans.clear();
      for (const c of chans) {
        const uuid = String(c.uuid ?? '');
        const user = this.userOf(String(c.name ?? ''), String(c.presence_id ?? ''), undefined);
        if (!uuid || !user || this.endedSet.has(uuid)) continue;
        this.chans.set(uuid, { user, inbound: c.direction === 'inbound', answered: c.callstate === 'ACTIVE' || c.callstate === 'HELD' });
      }
      for (const ev of this.pending) this.apply(ev, false);
      this.sink.seed([...this.endpoints].map((ep) => [ep, this.state(ep)] as const));
      this.pending = null;
      this.askUnsure();
      this.log.info({ registered: this.registered.size, endpoints: this.endpoints.size }, 'device states seeded from the PBX');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'device state seed failed: states stay as they were until the next event or reconnect');
    } finally {
      this.pending = null;
    }
  }

  /** Every event of the inbound connection passes here; true when it was a registration event. */
  onEvent(ev: EslEvent): boolean {
    this.pending?.push(ev);
    const was = this.apply(ev, true);
    if (!this.pending) this.askUnsure();
    return was;
  }

  private apply(ev: EslEvent, publish: boolean): boolean {
    const h = ev.headers;
    if (ev.name === 'CUSTOM') {
      const sub = h['Event-Subclass'];
      if (sub !== 'sofia::register' && sub !== 'sofia::unregister' && sub !== 'sofia::expire') return false;
      const user = h['from-user'] ?? h.user ?? h.username;
      if (!user) return true;
      const key = h['call-id'] ?? '';
      this.regEpoch.set(user, (this.regEpoch.get(user) ?? 0) + 1);
      if (sub === 'sofia::register') {
        this.addRegistration(user, key);
        if (h['profile-name']) this.profiles.add(h['profile-name']);
      } else {
        const regs = this.registered.get(user);
        regs?.delete(key);
        if (!regs || regs.size === 0) this.registered.delete(user);
        // Others are left: whether FreeSWITCH still has one depends on its profile. Without
        // `multiple-registrations` an un-REGISTER deletes every row of the user, and a REGISTER
        // from a second Call-ID had replaced the first (sofia_reg.c, sofia_reg_handle_register_token);
        // with it, only the matching row goes. Ask (off the call path) instead of guessing.
        else this.unsure.set(user, h['from-host'] ?? h.host ?? h.realm ?? '');
      }
      if (publish) this.publish(user);
      return true;
    }
    const uuid = h['Unique-ID'];
    if (!uuid) return false;
    if (ev.name === 'CHANNEL_CREATE' || ev.name === 'CHANNEL_ANSWER') {
      const user = this.chans.get(uuid)?.user ?? this.userOf(h['Channel-Name'] ?? '', h['Channel-Presence-ID'] ?? '', h.variable_dialed_user);
      if (!user) return false;
      this.chans.set(uuid, { user, inbound: h['Call-Direction'] === 'inbound', answered: ev.name === 'CHANNEL_ANSWER' || this.chans.get(uuid)?.answered === true });
      if (publish) this.publish(user);
    } else if (ev.name === 'CHANNEL_HANGUP_COMPLETE') {
      const c = this.chans.get(uuid);
      this.remember(uuid);
      if (!c) return false;
      this.chans.delete(uuid);
      if (publish) this.publish(c.user);
    }
    return false;
  }

  /** Users an un-REGISTER left with other registrations we know of (user -> domain): to be asked about. */
  private readonly unsure = new Map<string, string>();

  private askUnsure(): void {
    for (const [user, domain] of this.unsure) void this.verify(user, domain);
    this.unsure.clear();
  }

  private addRegistration(user: string, key: string): void {
    let regs = this.registered.get(user);
    if (!regs) this.registered.set(user, (regs = new Set()));
    regs.add(key);
  }

  /**
   * `sofia_contact user@domain`: the contacts FreeSWITCH would dial for `user/X` (the vanilla
   * directory's dial-string), or `error/user_not_registered`. Applied unless a newer registration
   * event for the user came in meanwhile.
   */
  private async verify(user: string, domain: string): Promise<void> {
    if (!/^[A-Za-z0-9._+-]{1,64}$/.test(user) || !/^[A-Za-z0-9.:[\]-]{1,255}$/.test(domain)) return;
    const epoch = this.regEpoch.get(user);
    try {
      const reply = (await this.inbound.api(`sofia_contact ${user}@${domain}`)).trim();
      if (this.regEpoch.get(user) !== epoch || !reply.startsWith('error/user_not_registered')) return;
      this.registered.delete(user);
      this.publish(user);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, user }, 'registration check failed: the device stays registered until the next event or reconnect');
    }
  }

  /** The phone a channel belongs to, if it is one of ours to watch. */
  private userOf(name: string, presenceId: string, dialedUser: string | undefined): string | null {
    const user = dialedUser || (this.onPhoneProfile(name) ? presenceId.split('@')[0] : '');
    return user && this.endpoints.has(user) ? user : null;
  }

  private onPhoneProfile(name: string): boolean {
    const profile = /^sofia\/([^/]+)\//.exec(name)?.[1];
    return profile !== undefined && this.profiles.has(profile);
  }

  /**
   * Not registered: unavailable. A call up on the phone, or one it is placing: in use. Ringing
   * for a call: ringing (section 6: that does not make her busy).
   */
  private state(user: string): DeviceState {
    if (!this.registered.has(user)) return 'unavailable';
    let ringing = false;
    for (const c of this.chans.values()) {
      if (c.user !== user) continue;
      if (c.answered || c.inbound) return 'in-use';
      ringing = true;
    }
    return ringing ? 'ringing' : 'idle';
  }

  private publish(user: string): void {
    if (this.sink && this.enabled && this.endpoints.has(user)) this.sink.set(user, this.state(user));
  }

  private publishAll(): void {
    if (!this.sink) return;
    for (const ep of this.endpoints) this.sink.set(ep, this.state(ep));
  }

  private remember(uuid: string): void {
    if (this.endedSet.has(uuid)) return;
    this.ended.push(uuid);
    this.endedSet.add(uuid);
    if (this.ended.length > ENDED_KEEP) this.endedSet.delete(this.ended.shift()!);
  }
}

/** The rows of a `show ... as json` reply (`{"row_count": 0}` has none; anything else unreadable is an error). */
function rowsOf(body: string): Record<string, unknown>[] {
  const parsed = JSON.parse(body) as { rows?: unknown };
  return Array.isArray(parsed.rows) ? (parsed.rows as Record<string, unknown>[]) : [];
}
