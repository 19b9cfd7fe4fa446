/**
 * The PostgreSQL store (spec section 10): the same interface as the SQLite one
 * (src/runtime/store.ts), shared by several controllers, each named by its `node`.
 *
 * Opening it runs the migrations under an advisory lock. A controller (`lockNode`) also takes a
 * session-level advisory lock on its node name on a connection of its own, held for its
 * lifetime: a second live controller with the same name is refused (STORE_NODE_TAKEN). The same
 * connection LISTENs for the other nodes' presence (who is on a call: src/store/postgres/presence.ts).
 */
import pg from 'pg';
import type { Logger } from '../../log.js';
import type { StoreHealth, SwitchboardStore } from '../../runtime/store.js';
import { SwitchboardError } from '../../errors.js';
import { storeError } from '../db.js';
import { PgCallStore } from './calls.js';
import { PgContactStore } from './contacts.js';
import { PgCursorStore } from './cursors.js';
import { isConnectionError, PgDb } from './db.js';
import { PgGroupAnswerStore } from './history.js';
import { migratePg } from './migrations.js';
import { PresenceBus } from './presence.js';
import { PgBlockStore, PgDndStore, PgOverrideStore } from './runtime.js';
import { WriteQueue } from './write-queue.js';

export interface PgOpenOptions {
  node: string;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** A controller holds its node name for its lifetime; a CLI does not. */
  lockNode?: boolean;
  /** Writes (call log, call state, group history) kept while PostgreSQL is down. */
  maxQueued?: number;
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

export class PostgresStore implements SwitchboardStore {
  readonly kind = 'postgres';
  readonly contacts: PgContactStore;
  readonly cursors: PgCursorStore;
  readonly calls: PgCallStore;
  readonly overrides: PgOverrideStore;
  readonly blocked: PgBlockStore;
  readonly dnd: PgDndStore;
  readonly groupAnswers: PgGroupAnswerStore;
  /** Who is on a call on the other nodes (controllers only). */
  readonly presenceBus: PresenceBus | null;
  /** The writes behind the call (call log, call state, group history), queued while PostgreSQL is down. */
  private readonly writes: WriteQueue;

  private constructor(
    private readonly db: PgDb,
    readonly node: string,
    opts: PgOpenOptions,
    bus: PresenceBus | null,
  ) {
    this.writes = new WriteQueue(db, opts.log, opts.maxQueued);
    this.contacts = new PgContactStore(db);
    this.cursors = new PgCursorStore(db, opts.log);
    this.calls = new PgCallStore(db, node, this.writes);
    this.overrides = new PgOverrideStore(db);
    this.blocked = new PgBlockStore(db);
    this.dnd = new PgDndStore(db);
    this.groupAnswers = new PgGroupAnswerStore(db, node, this.writes);
    this.presenceBus = bus;
  }

  static async open(url: string, opts: PgOpenOptions): Promise<PostgresStore> {
    const log = opts.log ?? silent;
    const db = new PgDb(url);
    let bus: PresenceBus | null = null;
    try {
      const client = await db.pool.connect().catch((err: unknown) => {
        throw storeError(err);
      });
      try {
        await migratePg(client);
      } finally {
        client.release();
      }
      if (opts.lockNode) bus = await PresenceBus.start(url, opts.node, log, () => nodeTaken(opts.node));
    } catch (err) {
      await db.close().catch(() => undefined);
      throw unreachable(err) ?? err;
    }
    return new PostgresStore(db, opts.node, opts, bus);
  }

  health(): StoreHealth {
    const lost = this.presenceBus?.lostReason() ?? null;
    const reason = this.db.reason ?? lost;
    return { up: reason === null, ...(reason !== null ? { reason } : {}), queued: this.writes.queued, overflowed: this.writes.overflowed };
  }

  async close(): Promise<void> {
    await this.writes.close();
    await this.presenceBus?.stop();
    await this.db.close();
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * STORE_UNREACHABLE when `err` says PostgreSQL is not there (no socket, refused, a restart in
 * progress, a timeout) rather than that it refused us (a password, a missing database, SQL).
 */
export function unreachable(err: unknown): SwitchboardError | null {
  if (err instanceof SwitchboardError && err.code !== 'STORE_FAILED') return null;
  const cause = err instanceof SwitchboardError ? err.cause : err;
  const code = (cause as { code?: unknown })?.code;
  const message = (cause as Error)?.message ?? String(cause);
  // Only what says "not there (yet)": anything else (a bad URL, a bug) must not be waited on forever.
  const network = typeof code === 'string' && NETWORK_CODES.has(code);
  const server = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && isConnectionError(cause);
  if (!network && !server && !/^Connection terminated|timeout expired/.test(message)) return null;
  return new SwitchboardError('STORE_UNREACHABLE', `PostgreSQL unreachable: ${message}`, { pg: message }, { cause });
}

export function nodeTaken(node: string): SwitchboardError {
  return new SwitchboardError('STORE_NODE_TAKEN', `node ${JSON.stringify(node)} is already running: another live controller holds this node name in the database (give each controller its own \`node\`)`, { node });
}

export type { PgDb };
export { pg };
