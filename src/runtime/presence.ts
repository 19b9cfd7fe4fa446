/**
 * What the controller knows about who can take a call right now (spec section 6), all in memory so
 * that planning a call never waits on the PBX or the disk: do-not-disturb (LiveState, re-read from
 * the store), the PBX's device states (DeviceStates, fed by the backend's events), who is bridged
 * on one of our calls, and the ring groups' answer history (written to the store behind the call,
 * read back at start so least-recent and fewest-calls survive a restart).
 */
import type { Logger } from '../log.js';
import type { Availability, DeviceState, GroupHistory } from '../routing/availability.js';
import { historyView } from './history-view.js';
import type { GroupAnswerPort, MemberHistoryRow, SharedPresencePort } from './store.js';

/** Device state by endpoint name, as the PBX last reported it. */
export class DeviceStates {
  private readonly states = new Map<string, DeviceState>();
  private listeners: ((endpoint: string, state: DeviceState) => void)[] = [];

  get(endpoint: string): DeviceState {
    return this.states.get(endpoint) ?? 'unknown';
  }

  set(endpoint: string, state: DeviceState): void {
    if (this.states.get(endpoint) === state) return;
    this.states.set(endpoint, state);
    for (const l of this.listeners) l(endpoint, state);
  }

  /** Replace everything with a fresh snapshot (start, and after every reconnect). */
  seed(entries: Iterable<readonly [string, DeviceState]>): void {
    const next = new Map(entries);
    for (const ep of [...this.states.keys()]) if (!next.has(ep)) this.set(ep, 'unknown');
    for (const [ep, s] of next) this.set(ep, s);
  }

  /** Endpoints by state, for /metrics. */
  counts(): Map<DeviceState, number> {
    const out = new Map<DeviceState, number>();
    for (const s of this.states.values()) out.set(s, (out.get(s) ?? 0) + 1);
    return out;
  }

  onChange(listener: (endpoint: string, state: DeviceState) => void): void {
    this.listeners.push(listener);
  }
}

export interface PresenceDeps {
  answers: Pick<GroupAnswerPort, 'answered' | 'ended' | 'load' | 'tidy'>;
  dnd: () => { has(user: string): boolean };
  devices: DeviceStates;
  log: Pick<Logger, 'warn' | 'error'>;
  now?: () => number;
  /**
   * A store shared with other nodes (section 10): who is on a call there counts as on a call here,
   * and least-recent / fewest-calls read the groups' history from the store before each plan.
   */
  shared?: { bus: SharedPresencePort | null; historyBudgetMs?: number };
}

export class Presence {
  private readonly bridgedCount = new Map<string, number>();
  private readonly calls = new Map<string, { user: string; group?: string }>();
  private rows = new Map<string, Map<string, MemberHistoryRow>>();
  private view: GroupHistory | null = null;
  private readonly now: () => number;
  private historyFailing = false;
  /**
   * This node's answers and ends not yet in the shared store (queued while PostgreSQL is down, or
   * in flight): a refresh that reads the store before they are written must not forget them.
   */
  private readonly unwritten = new Map<string, { group: string; user: string; answeredAt?: number; endedAt?: number; writes: number }>();
  readonly bridged = { has: (user: string): boolean => (this.bridgedCount.get(user) ?? 0) > 0 || (this.deps.shared?.bus?.has(user) ?? false) };

  /** Endpoints this node's PBX reports in use, published to the other nodes. */
  private readonly inUse = new Set<string>();
  /** Endpoints this node's PBX reports registered (any state but unavailable and unknown), published too. */
  private readonly registered = new Set<string>();

  constructor(private readonly deps: PresenceDeps) {
    this.now = deps.now ?? Date.now;
    if (deps.shared?.bus) {
      deps.devices.onChange((endpoint, state) => {
        const inUse = toggle(this.inUse, endpoint, state === 'in-use');
        const registered = toggle(this.registered, endpoint, state !== 'unavailable' && state !== 'unknown');
        if (inUse || registered) this.publish();
      });
    }
  }

  /** Load the history (closing rows of calls the last run lost). `active`: calls this process tracks. */
  async start(active: ReadonlySet<string> = new Set()): Promise<void> {
    const now = this.now();
    await this.deps.answers.tidy(active, now);
    this.rows = await this.deps.answers.load(now);
    this.view = null;
  }

  /**
   * On a shared store: replace these groups' history with every node's, in one statement. When the
   * store does not answer in time the plan uses what is in memory (calls still route).
   */
  async refreshHistory(groups: readonly string[]): Promise<void> {
    if (!this.deps.shared || groups.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const budget = this.deps.shared.historyBudgetMs ?? 500;
    const load = this.deps.answers.load(this.now(), groups);
    load.catch(() => undefined);
    try {
      const rows = await Promise.race([load, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${budget} ms`)), budget)))]);
      for (const g of groups) this.rows.set(g, rows.get(g) ?? new Map());
      this.overlayUnwritten(new Set(groups));
      this.view = null;
      this.historyFailing = false;
    } catch (err) {
      if (!this.historyFailing) this.deps.log.warn({ err: (err as Error).message }, 'group history: the store did not answer; ordering on memory');
      this.historyFailing = true;
    } finally {
      clearTimeout(timer);
    }
  }

  private publish(): void {
    this.deps.shared?.bus?.publish({ users: this.bridgedCount.keys(), inUse: this.inUse, registered: this.registered });
  }

  /** The snapshot the planner and each step of a call take. */
  availability(): Availability {
    this.view ??= historyView(this.rows);
    const devices = this.deps.devices;
    const bus = this.deps.shared?.bus;
    const device = bus ? (ep: string) => sharedDeviceState(devices.get(ep), ep, bus) : (ep: string) => devices.get(ep);
    return { dnd: this.deps.dnd(), device, bridged: this.bridged, history: this.view, now: this.now() };
  }

  /** Call `callId` was answered by `user` (from ring group `group`, when a group step rang her). */
  answered(callId: string, user: string | null, group: string | undefined): void {
    if (user === null || this.calls.has(callId)) return;
    this.calls.set(callId, { user, ...(group !== undefined ? { group } : {}) });
    this.bridgedCount.set(user, (this.bridgedCount.get(user) ?? 0) + 1);
    this.publish();
    if (group === undefined) return;
    const at = this.now();
    const h = this.entry(group, user);
    h.open.add(callId);
    h.answered.push(at);
    this.view = null;
    this.track(callId, group, user, { answeredAt: at }, this.deps.answers.answered(callId, group, user, at));
  }

  /** The bridged call `callId` ended (or the call ended without one: then nothing happens). */
  ended(callId: string): void {
    const c = this.calls.get(callId);
    if (!c) return;
    this.calls.delete(callId);
    const left = (this.bridgedCount.get(c.user) ?? 1) - 1;
    if (left > 0) this.bridgedCount.set(c.user, left);
    else this.bridgedCount.delete(c.user);
    this.publish();
    if (c.group === undefined) return;
    const at = this.now();
    const h = this.entry(c.group, c.user);
    h.open.delete(callId);
    h.lastEnded = Math.max(h.lastEnded ?? at, at);
    // The 24-hour window only ever needs the last day's answers.
    const cutoff = at - 24 * 60 * 60 * 1000;
    while (h.answered.length > 0 && h.answered[0]! <= cutoff) h.answered.shift();
    this.view = null;
    this.track(callId, c.group, c.user, { endedAt: at }, this.deps.answers.ended(callId, at));
  }

  /** Remember a history write until the store has it (shared stores only: refreshes read the store). */
  private track(callId: string, group: string, user: string, what: { answeredAt?: number; endedAt?: number }, write: Promise<void>): void {
    const shared = this.deps.shared !== undefined;
    if (shared) {
      const u = this.unwritten.get(callId) ?? { group, user, writes: 0 };
      Object.assign(u, what);
      u.writes++;
      this.unwritten.set(callId, u);
    }
    const done = () => {
      const u = this.unwritten.get(callId);
      if (u && --u.writes === 0) this.unwritten.delete(callId);
    };
    write.then(done, (err: unknown) => {
      done();
      this.deps.log.error({ err: (err as Error).message, callId }, 'group history write failed');
    });
  }

  /** Put this node's unwritten answers and ends back over history just read from the store. */
  private overlayUnwritten(groups: ReadonlySet<string>): void {
    for (const [callId, u] of this.unwritten) {
      if (!groups.has(u.group)) continue;
      const h = this.entry(u.group, u.user);
      if (u.answeredAt !== undefined && !h.answered.includes(u.answeredAt)) {
        h.answered.push(u.answeredAt);
        h.answered.sort((x, y) => x - y);
      }
      if (u.endedAt === undefined) h.open.add(callId);
      else {
        h.open.delete(callId);
        h.lastEnded = Math.max(h.lastEnded ?? u.endedAt, u.endedAt);
      }
    }
  }

  private entry(group: string, user: string): MemberHistoryRow {
    let byUser = this.rows.get(group);
    if (!byUser) this.rows.set(group, (byUser = new Map()));
    let h = byUser.get(user);
    if (!h) byUser.set(user, (h = { open: new Set(), answered: [] }));
    return h;
  }
}

/**
 * Section 10: a phone in use on any live node counts as in use here, and a phone is `unavailable`
 * only when every live node says so (a phone registers on one PBX): one this PBX does not have
 * registered but another live node's does is rung like an idle one.
 */
function sharedDeviceState(mine: DeviceState, endpoint: string, bus: SharedPresencePort): DeviceState {
  if (mine === 'in-use') return mine;
  if (bus.deviceInUse(endpoint)) return 'in-use';
  if (mine === 'unavailable' && bus.deviceRegistered(endpoint)) return 'idle';
  return mine;
}

/** Put `key` in or out of `set`; true when that changed it. */
function toggle(set: Set<string>, key: string, on: boolean): boolean {
  if (set.has(key) === on) return false;
  if (on) set.add(key);
  else set.delete(key);
  return true;
}
