/**
 * Versioned schema migrations. The schema version lives in `PRAGMA user_version`; each migration
 * runs once, in its own transaction, together with the version bump.
 */
import type { Db } from './db.js';

/** One schema step: `version` is the user_version after it ran. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order. Never edit a released one: add the next. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'contacts, ring-group cursors, call log, call state',
    sql: `
      -- The primary key is the index on the normalised (E.164) phone: look-ups hit it directly.
      CREATE TABLE contacts (
        phone TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        owner TEXT,
        fields TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE ring_group_cursors (
        group_id TEXT PRIMARY KEY NOT NULL,
        position INTEGER NOT NULL
      );
      CREATE TABLE calls (
        id TEXT PRIMARY KEY NOT NULL,
        started_at TEXT NOT NULL,
        from_number TEXT,
        to_number TEXT NOT NULL,
        outcome TEXT,
        answered_user TEXT,
        answered_device TEXT,
        rules TEXT NOT NULL DEFAULT '[]',
        legs TEXT NOT NULL DEFAULT '[]',
        duration REAL,
        record TEXT NOT NULL,
        backend TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX calls_started_at ON calls (started_at);
      CREATE TABLE call_state (
        id TEXT PRIMARY KEY NOT NULL,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'contacts by update time (the controller keeps its owner index in step with imports)',
    sql: `CREATE INDEX contacts_updated ON contacts (updated_at, phone);`,
  },
  {
    version: 3,
    name: 'schedule overrides and the run-time block list',
    sql: `
      -- One row per schedule forced open or closed; \`auto\` deletes the row.
      CREATE TABLE schedule_overrides (
        schedule_id TEXT PRIMARY KEY NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
        updated_at TEXT NOT NULL
      );
      -- E.164 numbers and '+1900*' prefixes blocked at run time (the config's \`blocked\` is apart).
      CREATE TABLE blocked_numbers (
        pattern TEXT PRIMARY KEY NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'do-not-disturb and the per-group answer history (wrap-up, least-recent, fewest-calls)',
    sql: `
      -- One row per user on do-not-disturb (spec section 6); \`dnd USER off\` deletes it.
      CREATE TABLE dnd (
        user_id TEXT PRIMARY KEY NOT NULL,
        since TEXT NOT NULL
      );
      -- One row per call a ring group's member answered; ended_at stays NULL while it is in progress.
      -- Times are ms since the epoch from the controller's clock (the store's clock: section 10).
      CREATE TABLE group_answers (
        call_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        answered_at INTEGER NOT NULL,
        ended_at INTEGER,
        PRIMARY KEY (call_id, group_id)
      );
      CREATE INDEX group_answers_by_group ON group_answers (group_id, answered_at);
    `,
  },
  {
    version: 5,
    name: 'the node that handled each call (section 10: calls --node)',
    sql: `
      ALTER TABLE calls ADD COLUMN node TEXT;
      CREATE INDEX calls_node ON calls (node, started_at);
    `,
  },
];

/** Apply every migration newer than the file's user_version. Safe to call on every open. */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  let version = await userVersion(db);
  for (const m of migrations) {
    if (m.version <= version) continue;
    await db.transaction(async (tx) => {
      // Read again under the write lock: another process may have migrated the same file meanwhile.
      if ((await userVersion(tx)) >= m.version) return;
      await tx.exec(m.sql);
      await tx.exec(`PRAGMA user_version = ${Math.trunc(m.version)}`);
    });
    version = m.version;
  }
  return version;
}

/** The schema version recorded in the file (0 for a new file). */
export async function userVersion(db: Db): Promise<number> {
  const row = await db.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}
