import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/call/record.js';
import { SwitchboardError } from '../../src/errors.js';
import { Db } from '../../src/store/db.js';
import { migrate, MIGRATIONS, userVersion } from '../../src/store/migrations.js';
import { Store } from '../../src/store/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sb-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function call(id: string, startedAt: string, extra: Partial<CallRecord> = {}): CallRecord {
  return {
    id, backend: 'asterisk', startedAt, from: '+12025550999', to: '+12025550200', outcome: 'answered',
    answeredBy: { user: 'alice', device: 'desk' }, legs: [], rules: ['number-user'], durationSeconds: 12,
    ringSeconds: 3, talkSeconds: 9, answeredAt: null, endedAt: null, detail: null, trace: ['t'], passedOver: [], ...extra,
  };
}

describe('migrations', () => {
  it('given a new file, when migrated twice and reopened, then each migration ran once', async () => {
    const file = path.join(dir, 'nested', 'folder', 'sb.db');
    const db = await Db.open(file);
    expect(await migrate(db)).toBe(MIGRATIONS.length);
    expect(await migrate(db)).toBe(MIGRATIONS.length);
    await db.close();

    const store = await Store.open(file);
    await store.contacts.upsertBatch([{ phone: '+12025550101', name: 'A', owner: 'alice', fields: {} }]);
    await store.close();
    const again = await Store.open(file);
    expect(await again.contacts.count()).toBe(1);
    await again.close();
    const raw = await Db.open(file);
    expect(await userVersion(raw)).toBe(MIGRATIONS.at(-1)!.version);
    expect((await raw.get<{ journal_mode: string }>('PRAGMA journal_mode'))?.journal_mode).toBe('wal');
    await raw.close();
  });

  it('given a broken statement, when run, then it fails with STORE_FAILED and the sqlite message', async () => {
    const db = await Db.open(':memory:');
    const err = await db.run('SELECT * FROM nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwitchboardError);
    expect((err as SwitchboardError).code).toBe('STORE_FAILED');
    expect(String((err as SwitchboardError).details.sqlite)).toMatch(/no such table/);
    await db.close();
  });

  it('given a transaction that throws, when it ends, then nothing it wrote is kept', async () => {
    const db = await Db.open(':memory:');
    await migrate(db);
    await expect(
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO ring_group_cursors VALUES ('g', 1)");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.all('SELECT * FROM ring_group_cursors')).toEqual([]);
    await db.close();
  });
});

describe('contacts', () => {
  it('given a batch with a repeated phone, when upserted, then the later row wins and counts are right', async () => {
    const store = await Store.open(':memory:');
    const first = await store.contacts.upsertBatch([
      { phone: '+12025550101', name: 'Ann', owner: 'alice', fields: { company: 'Acme' } },
      { phone: '+12025550102', name: 'Ben', owner: null, fields: {} },
      { phone: '+12025550101', name: 'Ann B', owner: 'bob', fields: {} },
    ]);
    expect(first).toEqual({ inserted: 2, updated: 1 });
    const second = await store.contacts.upsertBatch([{ phone: '+12025550102', name: 'Ben', owner: 'carol', fields: { x: '1' } }]);
    expect(second).toEqual({ inserted: 0, updated: 1 });
    expect(await store.contacts.get('+12025550101')).toEqual({ phone: '+12025550101', name: 'Ann B', owner: 'bob', fields: {} });
    expect(await store.contacts.get('+12025550102')).toEqual({ phone: '+12025550102', name: 'Ben', owner: 'carol', fields: { x: '1' } });
    expect(await store.contacts.get('+19999999999')).toBeNull();
    expect(await store.contacts.count()).toBe(2);
    await store.close();
  });

  it('given more rows than one statement holds, when upserted, then every row is stored', async () => {
    const store = await Store.open(':memory:');
    const rows = Array.from({ length: 1234 }, (_, i) => ({ phone: `+1202555${String(i).padStart(4, '0')}`, name: `n${i}`, owner: null, fields: {} }));
    expect(await store.contacts.upsertBatch(rows)).toEqual({ inserted: 1234, updated: 0 });
    expect(await store.contacts.upsertBatch(rows)).toEqual({ inserted: 0, updated: 1234 });
    expect(await store.contacts.count()).toBe(1234);
    expect((await store.contacts.get('+12025551233'))?.name).toBe('n1233');
    await store.close();
  });
});

describe('cursors', () => {
  const members = ['alice', 'bob', 'carol'];
  const roundRobin = (cursors: ReadonlyMap<string, number>) => {
    const cur = cursors.get('rr') ?? 0;
    return { result: members[cur % 3]!, moves: [{ group: 'rr', from: cur, to: (cur + 1) % 3 }] };
  };

  it('given 200 concurrent takes on a 3-member round-robin, then each member is taken 66 or 67 times and the cursor survives a reopen', async () => {
    const file = path.join(dir, 'sb.db');
    const store = await Store.open(file);
    expect(await store.cursors.peek()).toEqual(new Map());
    const taken = await Promise.all(Array.from({ length: 200 }, () => store.cursors.take(roundRobin)));
    const counts = new Map<string, number>();
    for (const m of taken) counts.set(m, (counts.get(m) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(members);
    for (const n of counts.values()) expect([66, 67]).toContain(n);
    expect(await store.cursors.peek()).toEqual(new Map([['rr', 200 % 3]]));
    await store.close();

    const reopened = await Store.open(file);
    expect(await reopened.cursors.peek()).toEqual(new Map([['rr', 2]]));
    expect(await reopened.cursors.take(roundRobin)).toBe('carol');
    await reopened.close();
  });

  it('given a decide that throws, when taken, then no cursor moves', async () => {
    const store = await Store.open(':memory:');
    await store.cursors.take(roundRobin);
    await expect(store.cursors.take(() => { throw new Error('no member'); })).rejects.toThrow('no member');
    expect(await store.cursors.peek()).toEqual(new Map([['rr', 1]]));
    await store.close();
  });
});

describe('calls', () => {
  it('given calls written at start and again at end, when listed, then one row each, newest first', async () => {
    const store = await Store.open(':memory:');
    await store.calls.upsert(call('c1', '2025-01-01T10:00:00.000Z', { outcome: null, durationSeconds: null }));
    await store.calls.upsert(call('c2', '2025-01-01T12:00:00.000Z'));
    await store.calls.upsert(call('c3', '2025-01-01T11:00:00.000+00:00'));
    await store.calls.upsert(call('c1', '2025-01-01T10:00:00.000Z', { outcome: 'voicemail', detail: '1001' }));

    expect((await store.calls.list()).map((c) => c.id)).toEqual(['c2', 'c3', 'c1']);
    expect((await store.calls.get('c1'))?.outcome).toBe('voicemail');
    expect(await store.calls.get('nope')).toBeNull();
    expect((await store.calls.list({ limit: 2 })).map((c) => c.id)).toEqual(['c2', 'c3']);
    expect((await store.calls.list({ since: new Date('2025-01-01T11:00:00Z') })).map((c) => c.id)).toEqual(['c2', 'c3']);
    expect(await store.calls.list({ since: new Date('2026-01-01T00:00:00Z') })).toEqual([]);
    await store.close();
  });

  it('given saved call state, when listed and deleted, then it round-trips', async () => {
    const file = path.join(dir, 'sb.db');
    const store = await Store.open(file);
    await store.calls.saveState('c1', { step: 1, legs: ['a'] });
    await store.calls.saveState('c2', { step: 0 });
    await store.calls.saveState('c1', { step: 2, legs: [] });
    await store.close();
    const again = await Store.open(file);
    expect(await again.calls.listStates()).toEqual(expect.arrayContaining([{ id: 'c1', state: { step: 2, legs: [] } }, { id: 'c2', state: { step: 0 } }]));
    await again.calls.deleteState('c1');
    expect(await again.calls.listStates()).toEqual([{ id: 'c2', state: { step: 0 } }]);
    await again.close();
  });
});
