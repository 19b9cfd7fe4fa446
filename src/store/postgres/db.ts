/**
 * A node-postgres pool with the store's error shape and a health flag. A connection error (the
 * server stopped, the socket is gone, a restart cut the connection) marks the store down; the
 * next statement that succeeds marks it up again. SQL errors (a constraint, a syntax error) are
 * failures of that statement, not of the store.
 */
import pg from 'pg';
import { storeError } from '../db.js';

export type Row = Record<string, unknown>;

/** The part of a pool or client that runs one statement. */
export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** True for errors that say the server is unreachable rather than that a statement was wrong. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code.startsWith('08') || code.startsWith('57P') || code === '53300';
  return true; // ECONNREFUSED, ENOENT (no socket), "Connection terminated", timeouts
}

export class PgDb implements Queryable {
  readonly pool: pg.Pool;
  private downReason: string | null = null;
  private readonly listeners: ((up: boolean, reason: string | null) => void)[] = [];

  constructor(readonly url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 6, connectionTimeoutMillis: 2000, idleTimeoutMillis: 10_000 });
    // An idle client whose server went away: the pool drops it; say the store is down.
    this.pool.on('error', (err) => this.markDown(err));
  }

  get up(): boolean {
    return this.downReason === null;
  }

  get reason(): string | null {
    return this.downReason;
  }

  onHealth(listener: (up: boolean, reason: string | null) => void): void {
    this.listeners.push(listener);
  }

  markDown(err: unknown): void {
    const was = this.downReason;
    this.downReason = `PostgreSQL unreachable: ${(err as Error)?.message ?? String(err)}`;
    if (was === null) for (const l of this.listeners) l(false, this.downReason);
  }

  markUp(): void {
    if (this.downReason === null) return;
    this.downReason = null;
    for (const l of this.listeners) l(true, null);
  }

  async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      const r = await this.pool.query<T>(sql, params);
      this.markUp();
      return r.rows;
    } catch (err) {
      if (isConnectionError(err)) this.markDown(err);
      throw storeError(err, sql);
    }
  }

  /** Run `fn` in BEGIN ... COMMIT on one pooled connection (ROLLBACK when it throws). */
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      this.markDown(err);
      throw storeError(err);
    }
    let broken = false;
    const tx: Queryable = {
      query: async <R extends Row = Row>(sql: string, params: unknown[] = []) => {
        try {
          return (await client.query<R>(sql, params)).rows;
        } catch (err) {
          if (isConnectionError(err)) {
            broken = true;
            this.markDown(err);
          }
          throw storeError(err, sql);
        }
      },
    };
    try {
      await tx.query('BEGIN');
      const result = await fn(tx);
      await tx.query('COMMIT');
      this.markUp();
      return result;
    } catch (err) {
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(broken ? true : undefined);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
