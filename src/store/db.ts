/**
 * A small promise wrapper over node-sqlite3. One connection per Store: node-sqlite3 runs every
 * statement of a connection in order on the libuv pool, but two async callers can still
 * interleave their statements, so every transaction goes through an async mutex.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { SwitchboardError } from '../errors.js';

export type Params = readonly unknown[] | Record<string, unknown>;

/** The result of a write: rows changed and the last inserted rowid. */
export interface RunResult {
  changes: number;
  lastID: number;
}

/** Wrap a sqlite error (or anything thrown by the driver) as STORE_FAILED, keeping the message. */
export function storeError(err: unknown, sql?: string): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  const e = err as { message?: string; code?: string };
  const message = e?.message ?? String(err);
  return new SwitchboardError('STORE_FAILED', `store: ${message}`, { sqlite: message, sqliteCode: e?.code ?? null, sql: sql?.slice(0, 200) ?? null }, { cause: err });
}

/** A FIFO async mutex: `run(fn)` waits for every earlier `run` to settle. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Run `fn` once every earlier holder has finished. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    // The next holder waits for this one to settle, whether it failed or not.
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** A prepared statement. node-sqlite3 binds and steps in one queued work item, so concurrent calls are safe. */
export class Stmt {
  constructor(
    private readonly stmt: sqlite3.Statement,
    private readonly sql: string,
  ) {}

  /** First row, or undefined. */
  get<T>(params: Params = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.stmt.get(params, (err: Error | null, row: T | undefined) => (err ? reject(storeError(err, this.sql)) : resolve(row)));
    });
  }

  /** Every row. */
  all<T>(params: Params = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.stmt.all(params, (err: Error | null, rows: T[]) => (err ? reject(storeError(err, this.sql)) : resolve(rows)));
    });
  }

  /** Execute a write. */
  run(params: Params = []): Promise<RunResult> {
    const sql = this.sql;
    return new Promise((resolve, reject) => {
      this.stmt.run(params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(storeError(err, sql));
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  /** Release the statement. */
  finalize(): Promise<void> {
    return new Promise((resolve) => this.stmt.finalize(() => resolve()));
  }
}

/** One sqlite connection with promise methods and serialised transactions. */
export class Db {
  private readonly lock = new Mutex();
  private readonly statements: Stmt[] = [];
  private closed = false;

  private constructor(private readonly db: sqlite3.Database) {}

  /** Open (creating the file and its folder) and set WAL, busy_timeout and synchronous=NORMAL. */
  static async open(file: string): Promise<Db> {
    const inMemory = file === ':memory:' || file === '';
    if (!inMemory && !file.startsWith('file:')) {
      try {
        mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      } catch (err) {
        throw storeError(err);
      }
    }
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const d: sqlite3.Database = new sqlite3.Database(file, (err) => (err ? reject(storeError(err)) : resolve(d)));
    });
    const db = new Db(raw);
    // The controller and a CLI (`calls`, `contacts import`) may hold the same file: wait, do not fail.
    raw.configure('busyTimeout', 5000);
    try {
      // WAL lets `switchboard calls` read while the controller writes; NORMAL is durable enough in WAL
      // (a power cut may lose the last commits, never corrupt the file).
      await db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
    return db;
  }

  /** Execute one statement. Outside `transaction`, prefer `transaction` for writes (see class doc). */
  run(sql: string, params: Params = []): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(storeError(err, sql));
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  /** First row, or undefined. */
  get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (err: Error | null, row: T | undefined) => (err ? reject(storeError(err, sql)) : resolve(row)));
    });
  }

  /** Every row. */
  all<T>(sql: string, params: Params = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (err: Error | null, rows: T[]) => (err ? reject(storeError(err, sql)) : resolve(rows)));
    });
  }

  /** Execute a script of several statements, no parameters. */
  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (err: Error | null) => (err ? reject(storeError(err, sql)) : resolve()));
    });
  }

  /** Prepare a statement; it is finalised by `close()`. */
  prepare(sql: string): Promise<Stmt> {
    return new Promise((resolve, reject) => {
      const raw: sqlite3.Statement = this.db.prepare(sql, (err: Error | null) => {
        if (err) return reject(storeError(err, sql));
        const stmt = new Stmt(raw, sql);
        this.statements.push(stmt);
        resolve(stmt);
      });
    });
  }

  /**
   * Run `fn` inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK when it throws). Transactions are
   * serialised: the next one starts only after this one has committed. IMMEDIATE takes the write
   * lock up front, so a read-then-write inside `fn` cannot be overtaken by another process.
   * Do not call `transaction` from inside `fn` (it would wait for itself).
   */
  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      if (this.closed) throw storeError(new Error('the store is closed'));
      await this.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this);
        await this.exec('COMMIT');
        return result;
      } catch (err) {
        await this.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /** Wait for running transactions, finalise statements and close the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock.run(async () => {
      this.closed = true;
    });
    await Promise.all(this.statements.splice(0).map((s) => s.finalize()));
    await new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(storeError(err)) : resolve())));
  }
}
