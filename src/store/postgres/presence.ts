/**
 * Between nodes, who is on a call and which phones are up (section 10): each controller publishes
 * the users bridged on its calls, its PBX's in-use endpoints and its PBX's registered endpoints
 * with PostgreSQL NOTIFY on every change and every `heartbeatMs`; the others LISTEN. A state is the
 * node's whole set, so a lost one is repaired by the next; one too big for a NOTIFY payload goes
 * in several parts, applied together (presence-wire.ts). A node not heard from for `expireMs`
 * (15 s) counts as holding nobody and as saying nothing about any phone.
 *
 * The connection is the controller's own (not the pool's): it also holds the session advisory
 * lock on the node name, so "this node is live" and "this node's presence is heard" end together.
 * When it drops (PostgreSQL restarted), it reconnects with back-off and takes the lock again.
 */
import pg from 'pg';
import type { Logger } from '../../log.js';
import type { SwitchboardError } from '../../errors.js';
import { storeError } from '../db.js';
import { encodePresence, PresenceAssembler, type PresenceState } from './presence-wire.js';

export const PRESENCE_CHANNEL = 'switchboard_presence';

interface Heard extends PresenceState {
  seen: number;
}

/** What a node publishes: its bridged users, its PBX's in-use and registered endpoints. */
export interface PublishedState {
  users: Iterable<string>;
  inUse: Iterable<string>;
  registered?: Iterable<string>;
}

export class PresenceBus {
  private client: pg.Client | null = null;
  private readonly remote = new Map<string, Heard>();
  private mine: { users: string[]; inUse: string[]; registered: string[] } = { users: [], inUse: [], registered: [] };
  private sendFailing = false;
  private leftOut = false;
  private seq = Date.now();
  private sendQueued = false;
  private readonly assembler: PresenceAssembler;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lost: string | null = null;
  private reconnecting = false;
  private readonly listeners: (() => void)[] = [];

  private constructor(
    private readonly url: string,
    readonly node: string,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
    private readonly taken: () => SwitchboardError,
    private readonly heartbeatMs: number,
    private readonly expireMs: number,
    private readonly now: () => number,
  ) {
    this.assembler = new PresenceAssembler(node);
  }

  static async start(url: string, node: string, log: Pick<Logger, 'info' | 'warn' | 'error'>, taken: () => SwitchboardError, opts: { heartbeatMs?: number; expireMs?: number; now?: () => number } = {}): Promise<PresenceBus> {
    const bus = new PresenceBus(url, node, log, taken, opts.heartbeatMs ?? 5000, opts.expireMs ?? 15_000, opts.now ?? Date.now);
    await bus.connect();
    bus.timer = setInterval(() => void bus.send(), bus.heartbeatMs);
    bus.timer.unref();
    return bus;
  }

  /** Is the node connection up (lock held, listening)? False while it reconnects. */
  isConnected(): boolean {
    return this.client !== null;
  }

  /** Why the node connection is lost (the lock could not be taken back), or null. */
  lostReason(): string | null {
    return this.lost;
  }

  /** Is `user` on a call on another live node? */
  has(user: string): boolean {
    const cutoff = this.now() - this.expireMs;
    for (const h of this.remote.values()) if (h.seen >= cutoff && h.users.has(user)) return true;
    return false;
  }

  /** Does another live node's PBX report `endpoint` in use (section 10: in-use on any node counts)? */
  deviceInUse(endpoint: string): boolean {
    const cutoff = this.now() - this.expireMs;
    for (const h of this.remote.values()) if (h.seen >= cutoff && h.inUse.has(endpoint)) return true;
    return false;
  }

  /**
   * Does another live node's PBX report `endpoint` registered (any state but unavailable and
   * unknown)? Section 10: a device is `unavailable` only when every live node says so.
   */
  deviceRegistered(endpoint: string): boolean {
    const cutoff = this.now() - this.expireMs;
    for (const h of this.remote.values()) if (h.seen >= cutoff && h.registered.has(endpoint)) return true;
    return false;
  }

  /** Tell `listener` when another node's set changes (the planner's snapshot is rebuilt). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /**
   * This node's state now; published at once. Changes made in one turn (a PBX reconnect seeds
   * every endpoint) go out as one state.
   */
  publish(state: PublishedState): void {
    this.mine = { users: [...state.users], inUse: [...state.inUse], registered: [...(state.registered ?? [])] };
    if (this.sendQueued) return;
    this.sendQueued = true;
    setImmediate(() => {
      this.sendQueued = false;
      void this.send();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const c = this.client;
    this.client = null;
    // Ending the session releases the node lock: a restarted controller may take the name at once.
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined); // 'end' follows; handled there
    try {
      await client.connect();
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`switchboard node ${this.node}`]);
      if (!rows[0]?.ok) throw this.taken();
      await client.query(`LISTEN ${PRESENCE_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw (err as { code?: string }).code === 'STORE_NODE_TAKEN' ? err : storeError(err);
    }
    client.on('notification', (msg) => this.heard(msg.payload ?? ''));
    client.on('end', () => {
      if (this.client === client) this.client = null;
      if (!this.stopped) void this.reconnect();
    });
    this.client = client;
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    let wait = 200;
    while (!this.stopped) {
      await new Promise((r) => setTimeout(r, wait));
      if (this.stopped) break;
      try {
        await this.connect();
        this.lost = null;
        this.log.info({ node: this.node }, 'node connection to PostgreSQL back: node lock and presence restored');
        void this.send();
        break;
      } catch (err) {
        if ((err as { code?: string }).code === 'STORE_NODE_TAKEN') {
          this.lost = (err as Error).message;
          this.log.error({ node: this.node }, this.lost);
        }
        wait = Math.min(wait * 2, 2000);
      }
    }
    this.reconnecting = false;
  }

  private async send(): Promise<void> {
    const c = this.client;
    if (!c) return;
    const { payloads, left } = encodePresence(this.node, ++this.seq, this.mine);
    if (left.length > 0 && !this.leftOut) this.log.warn({ left: left.length, example: left[0]!.slice(0, 80) }, 'presence: names too long (or too many) for NOTIFY left out');
    this.leftOut = left.length > 0;
    try {
      // Every part in one statement: one transaction, so the listeners get them together.
      await c.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [PRESENCE_CHANNEL, payloads]);
      this.sendFailing = false;
    } catch (err) {
      // The others stop hearing this node and, 15 s later, count nobody here as on a call. Say so once.
      if (!this.sendFailing) this.log.warn({ err: (err as Error).message, parts: payloads.length }, 'presence not published to the other nodes');
      this.sendFailing = true;
    }
  }

  private heard(payload: string): void {
    const got = this.assembler.feed(payload);
    if (!got) return;
    const before = this.remote.get(got.node);
    this.remote.set(got.node, { ...got.state, seen: this.now() });
    if (!before || !sameSet(before.users, got.state.users)) for (const l of this.listeners) l();
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
