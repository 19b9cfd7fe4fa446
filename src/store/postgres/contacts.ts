/** Contacts in PostgreSQL: the same rows and semantics as the SQLite table (src/store/contacts.ts). */
import type { Contact, ContactPort, ContactRow } from '../../runtime/store.js';
import type { PgDb } from './db.js';

/** Rows per statement: arrays of 5 columns through unnest, one round trip each. */
const CHUNK = 5000;

function parseFields(json: string): Record<string, string> {
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {}; // a hand-edited row must not break call routing: lose the CRM fields, keep the owner
  }
}

export class PgContactStore implements ContactPort {
  constructor(private readonly db: PgDb) {}

  async get(phone: string): Promise<Contact | null> {
    const rows = await this.db.query<{ phone: string; name: string; owner: string | null; fields: string }>('SELECT phone, name, owner, fields FROM contacts WHERE phone = $1', [phone]);
    const row = rows[0];
    if (!row) return null;
    return { phone: row.phone, name: row.name, owner: row.owner, fields: row.fields === '{}' ? {} : parseFields(row.fields) };
  }

  async upsertBatch(rows: readonly ContactRow[]): Promise<{ inserted: number; updated: number }> {
    if (rows.length === 0) return { inserted: 0, updated: 0 };
    const latest = new Map<string, ContactRow>();
    for (const r of rows) latest.set(r.phone, r);
    const unique = [...latest.values()];
    const now = new Date().toISOString();
    return this.db.transaction(async (tx) => {
      let existing = 0;
      for (let i = 0; i < unique.length; i += CHUNK) {
        const part = unique.slice(i, i + CHUNK);
        const phones = part.map((r) => r.phone);
        const found = await tx.query<{ n: string }>('SELECT count(*) AS n FROM contacts WHERE phone = ANY($1::text[])', [phones]);
        existing += Number(found[0]?.n ?? 0);
        await tx.query(
          `INSERT INTO contacts (phone, name, owner, fields, updated_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
           ON CONFLICT (phone) DO UPDATE SET name = EXCLUDED.name, owner = EXCLUDED.owner, fields = EXCLUDED.fields, updated_at = EXCLUDED.updated_at`,
          [phones, part.map((r) => r.name), part.map((r) => r.owner), part.map((r) => JSON.stringify(r.fields)), part.map(() => now)],
        );
      }
      const inserted = unique.length - existing;
      return { inserted, updated: rows.length - inserted };
    });
  }

  async count(): Promise<number> {
    const rows = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM contacts');
    return Number(rows[0]?.n ?? 0);
  }

  async changedSince(after: { updatedAt: string; phone: string }, limit: number): Promise<{ phone: string; owner: string | null; updated_at: string }[]> {
    return this.db.query<{ phone: string; owner: string | null; updated_at: string }>(
      'SELECT phone, owner, updated_at FROM contacts WHERE (updated_at, phone) > ($1, $2) ORDER BY updated_at, phone LIMIT $3',
      [after.updatedAt, after.phone, limit],
    );
  }
}
