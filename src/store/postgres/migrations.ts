/**
 * The PostgreSQL schema, versioned like the SQLite one (src/store/migrations.ts): a table records
 * each version applied. Several controllers may start together against one database: the
 * migrations run under a session advisory lock, so exactly one of them applies each version and
 * the others find it applied once they get the lock.
 */
import type pg from 'pg';
import { storeError } from '../db.js';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** Any 64-bit key: this one names "switchboard migrations" for pg_advisory_lock. */
export const MIGRATION_LOCK_KEY = 7_245_001_018;

/** Every migration, in order. Never edit a released one: add the next. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'contacts, cursors, call log and call state per node, overrides, block list, DND, group answers',
    sql: `
      CREATE TABLE contacts (
        phone TEXT COLLATE "C" PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        owner TEXT,
        fields TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX contacts_updated ON contacts (updated_at, phone);
      CREATE TABLE ring_group_cursors (
        group_id TEXT PRIMARY KEY,
        position INTEGER NOT NULL
      );
      -- One row per call and node: a reconcile (or a queued write sent twice) rewrites it in place.
      CREATE TABLE calls (
        node TEXT NOT NULL,
        id TEXT NOT NULL,
        seq BIGSERIAL,
        started_at TEXT COLLATE "C" NOT NULL,
        from_number TEXT,
        to_number TEXT NOT NULL,
        outcome TEXT,
        answered_user TEXT,
        answered_device TEXT,
        duration DOUBLE PRECISION,
        record TEXT NOT NULL,
        backend TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (node, id)
      );
      CREATE INDEX calls_started_at ON calls (started_at);
      CREATE TABLE call_state (
        node TEXT NOT NULL,
        id TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (node, id)
      );
      CREATE TABLE schedule_overrides (
        schedule_id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
        updated_at TEXT NOT NULL
      );
      CREATE TABLE blocked_numbers (
        pattern TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
      );
      CREATE TABLE dnd (
        user_id TEXT PRIMARY KEY,
        since TEXT NOT NULL
      );
      -- Shared by every node (least-recent and fewest-calls are exact across nodes); each node
      -- closes only its own rows when it finds calls it lost.
      CREATE TABLE group_answers (
        node TEXT NOT NULL,
        call_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        answered_at BIGINT NOT NULL,
        ended_at BIGINT,
        PRIMARY KEY (node, call_id, group_id)
      );
      CREATE INDEX group_answers_by_group ON group_answers (group_id, answered_at);
    `,
  },
];

/** Apply every migration not applied yet, under the migration lock. Returns the version now. */
export async function migratePg(client: pg.ClientBase, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number> {
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS switchboard_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM switchboard_migrations');
      let version = rows[0]?.v ?? 0;
      for (const m of migrations) {
        if (m.version <= version) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO switchboard_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
        version = m.version;
      }
      return version;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } catch (err) {
    throw storeError(err);
  }
}
