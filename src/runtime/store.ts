/**
 * The store as the controller, the call sessions and the CLIs use it: one interface, owned here by
 * the side that uses it, with two implementations that depend on it (never the other way round):
 * SQLite (src/store/, the embedded default) and PostgreSQL (src/store/postgres/, shared by several
 * controllers: spec section 10). Both pass the one store suite (test/store/suite.ts).
 *
 * Errors are SwitchboardError STORE_FAILED with the driver's message in details.
 */
import type { CallRecord } from '../call/record.js';
import type { CursorMove } from '../routing/plan.js';

/** A known caller. `fields` are the CSV's extra columns (CRM fields). */
export interface Contact {
  phone: string;
  name: string;
  owner: string | null;
  fields: Record<string, string>;
}

/** A row to upsert: the phone must already be normalised to E.164. */
export type ContactRow = Contact;

/** A cursor change decided by the planner; `from` is what it read, `to` what it writes. */
export type Move = CursorMove;

/** The pure decision `take` runs against the cursors (a store may run it twice: see CursorPort). */
export type Decide<T> = (cursors: ReadonlyMap<string, number>) => { result: T; moves: readonly Move[] };

/** Filters for the call log's `list`. */
export interface ListCallsOptions {
  /** Only calls that started at or after this time. */
  since?: Date;
  /** At most this many (newest first). */
  limit?: number;
  /** Only the calls this node handled (section 10). */
  node?: string;
}

export type OverrideState = 'open' | 'closed';

export interface ScheduleOverrideRow {
  scheduleId: string;
  state: OverrideState;
  updatedAt: string;
}

export interface BlockedRow {
  pattern: string;
  createdAt: string;
}

export interface DndRow {
  userId: string;
  /** When she went on do-not-disturb (ISO 8601). */
  since: string;
}

/** Mutable form of one member's answer history in a group, as `load()` builds it. */
export interface MemberHistoryRow {
  lastEnded?: number;
  open: Set<string>;
  answered: number[];
}

export interface ContactPort {
  get(phone: string): Promise<Contact | null>;
  upsertBatch(rows: readonly ContactRow[]): Promise<{ inserted: number; updated: number }>;
  count(): Promise<number>;
  /** Contacts changed after `(updatedAt, phone)`, oldest first, at most `limit` (the owner index's sync). */
  changedSince(after: { updatedAt: string; phone: string }, limit: number): Promise<{ phone: string; owner: string | null; updated_at: string }[]>;
}

/**
 * Ring-group cursors. `take` runs `decide` and writes its moves so that two calls (in this process
 * or, on a shared store, on two nodes) never take the same round-robin member. A shared store may
 * run `decide` a second time with the cursors another node left: it must stay pure.
 */
export interface CursorPort {
  peek(): Promise<Map<string, number>>;
  take<T>(decide: Decide<T>): Promise<T>;
}

export interface CallLogPort {
  /** Insert or update the row of `record.id` (idempotent per node and call id). */
  upsert(record: CallRecord): Promise<void>;
  get(id: string): Promise<CallRecord | null>;
  /** Newest first. */
  list(opts?: ListCallsOptions): Promise<CallRecord[]>;
  /** Delete finished rows that started before `before`; returns how many. */
  pruneEnded(before: Date): Promise<number>;
  saveState(id: string, state: unknown): Promise<void>;
  deleteState(id: string): Promise<void>;
  /** The saved states of this node's calls (a controller reconciles only its own). */
  listStates(): Promise<{ id: string; state: unknown }[]>;
  /** Resolves once every write queued so far is written (or, on close, given up on). */
  flush(): Promise<void>;
}

export interface OverridePort {
  list(): Promise<ScheduleOverrideRow[]>;
  set(scheduleId: string, state: OverrideState | null, now?: Date): Promise<void>;
}

export interface BlockPort {
  list(): Promise<BlockedRow[]>;
  add(pattern: string, now?: Date): Promise<boolean>;
  remove(pattern: string): Promise<boolean>;
}

export interface DndPort {
  list(): Promise<DndRow[]>;
  set(userId: string, on: boolean, now?: Date): Promise<boolean>;
}

export interface GroupAnswerPort {
  answered(callId: string, groupId: string, userId: string, at: number): Promise<void>;
  ended(callId: string, at: number): Promise<void>;
  tidy(active: ReadonlySet<string>, at: number): Promise<void>;
  /** Each member's last end, open calls and the last 24 hours' answers, by group then user. */
  load(now: number, groups?: readonly string[]): Promise<Map<string, Map<string, MemberHistoryRow>>>;
}

/** Whether the store answers, for /healthz and /metrics. */
export interface StoreHealth {
  up: boolean;
  /** Why it is down, when it is. */
  reason?: string;
  /** Writes behind the call (call log, call state, group history) waiting for the store. */
  queued: number;
  /** Such writes dropped because the queue was full. */
  overflowed: number;
}

/** Who is on a call, and which phones are up, on the other nodes sharing the store (section 10: LISTEN/NOTIFY on PostgreSQL). */
export interface SharedPresencePort {
  /** Is `user` bridged on a call of another live node? */
  has(user: string): boolean;
  /** Does another live node's PBX report this endpoint in use? */
  deviceInUse(endpoint: string): boolean;
  /** Does another live node's PBX report this endpoint registered (any state but unavailable and unknown)? */
  deviceRegistered(endpoint: string): boolean;
  /** This node's bridged users, in-use and registered endpoints now (the whole sets). */
  publish(state: { users: Iterable<string>; inUse: Iterable<string>; registered?: Iterable<string> }): void;
}

export interface SwitchboardStore {
  readonly kind: 'sqlite' | 'postgres';
  /** This controller's node name (section 10), or null when the config names none. */
  readonly node: string | null;
  readonly contacts: ContactPort;
  readonly cursors: CursorPort;
  readonly calls: CallLogPort;
  readonly overrides: OverridePort;
  readonly blocked: BlockPort;
  readonly dnd: DndPort;
  readonly groupAnswers: GroupAnswerPort;
  /** Shared by several nodes: the other nodes' presence (controllers only), and reads across nodes. */
  readonly presenceBus?: SharedPresencePort | null;
  health(): StoreHealth;
  close(): Promise<void>;
}
