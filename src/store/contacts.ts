/** The contacts table: known callers, keyed by their E.164 number, with the user who owns each. */
import type { Contact, ContactPort, ContactRow } from '../runtime/store.js';
import type { Db, Stmt } from './db.js';

export type { Contact, ContactRow };

interface ContactDbRow {
  phone: string;
  name: string;
  owner: string | null;
  fields: string;
}

/** Rows per multi-row statement: 5 parameters each, well under SQLite's 32766 variables. */
const CHUNK = 500;
const COLUMNS = 5;

function insertSql(rows: number): string {
  const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
  // ON CONFLICT ... DO UPDATE keeps the row in place (REPLACE would delete and re-insert it).
  return `INSERT INTO contacts (phone, name, owner, fields, updated_at) VALUES ${values}
    ON CONFLICT (phone) DO UPDATE SET name = excluded.name, owner = excluded.owner,
    fields = excluded.fields, updated_at = excluded.updated_at`;
}

function existingSql(rows: number): string {
  return `SELECT phone FROM contacts WHERE phone IN (${Array.from({ length: rows }, () => '?').join(', ')})`;
}

function parseFields(json: string): Record<string, string> {
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    // A hand-edited row must not break call routing: lose the CRM fields, keep the owner.
    return {};
  }
}

/** Contacts: batch upsert for the importer, a prepared look-up for the call path. */
export class ContactStore implements ContactPort {
  private constructor(
    private readonly db: Db,
    private readonly getStmt: Stmt,
    private readonly insertChunk: Stmt,
    private readonly existingChunk: Stmt,
    private readonly changedStmt: Stmt,
  ) {}

  /**
   * Contacts changed after the key `(updatedAt, phone)`, oldest first, at most `limit`: pages of
   * an incremental sync (see src/contacts/owner-index.ts). Read on the reader connection.
   */
  async changedSince(after: { updatedAt: string; phone: string }, limit: number): Promise<{ phone: string; owner: string | null; updated_at: string }[]> {
    return this.changedStmt.all<{ phone: string; owner: string | null; updated_at: string }>([after.updatedAt, after.phone, limit]);
  }

  /**
   * Prepare the statements this part uses. `reader` is a second connection for look-ups:
   * node-sqlite3 runs one connection's statements one after another, so on the writer a look-up
   * would queue behind the call log's group commits; in WAL mode a reader never waits for them.
   */
  static async create(db: Db, reader: Db = db): Promise<ContactStore> {
    const changed = await reader.prepare(
      'SELECT phone, owner, updated_at FROM contacts WHERE (updated_at, phone) > (?, ?) ORDER BY updated_at, phone LIMIT ?',
    );
    const [get, insert, existing] = await Promise.all([
      reader.prepare('SELECT phone, name, owner, fields FROM contacts WHERE phone = ?'),
      db.prepare(insertSql(CHUNK)),
      db.prepare(existingSql(CHUNK)),
    ]);
    return new ContactStore(db, get, insert, existing, changed);
  }

  /**
   * Insert or update `rows` in one transaction. A phone that appears twice counts once as new
   * (when it was not stored yet) and then as updated; the later row wins.
   */
  async upsertBatch(rows: readonly ContactRow[]): Promise<{ inserted: number; updated: number }> {
    if (rows.length === 0) return { inserted: 0, updated: 0 };
    const latest = new Map<string, ContactRow>();
    for (const r of rows) latest.set(r.phone, r);
    const phones = [...latest.keys()];
    const now = new Date().toISOString();
    return this.db.transaction(async (tx) => {
      const existing = new Set<string>();
      for (let i = 0; i < phones.length; i += CHUNK) {
        const part = phones.slice(i, i + CHUNK);
        const found = part.length === CHUNK ? await this.existingChunk.all<{ phone: string }>(part) : await tx.all<{ phone: string }>(existingSql(part.length), part);
        for (const f of found) existing.add(f.phone);
      }
      const unique = [...latest.values()];
      for (let i = 0; i < unique.length; i += CHUNK) {
        const part = unique.slice(i, i + CHUNK);
        const params: unknown[] = new Array(part.length * COLUMNS);
        part.forEach((r, j) => {
          const o = j * COLUMNS;
          params[o] = r.phone;
          params[o + 1] = r.name;
          params[o + 2] = r.owner;
          params[o + 3] = JSON.stringify(r.fields);
          params[o + 4] = now;
        });
        if (part.length === CHUNK) await this.insertChunk.run(params);
        else await tx.run(insertSql(part.length), params);
      }
      const inserted = phones.length - existing.size;
      return { inserted, updated: rows.length - inserted };
    });
  }

  /** The contact stored for an E.164 number, or null. On the path of every call: one prepared read. */
  async get(phone: string): Promise<Contact | null> {
    const row = await this.getStmt.get<ContactDbRow>([phone]);
    if (!row) return null;
    return { phone: row.phone, name: row.name, owner: row.owner, fields: row.fields === '{}' ? {} : parseFields(row.fields) };
  }

  /** How many contacts are stored. */
  async count(): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM contacts');
    return row?.n ?? 0;
  }
}
