/**
 * The one store suite (spec section 10): every behaviour the controller relies on, run against
 * each implementation through a factory (test/store/sqlite.store.test.ts,
 * test/store/postgres.store.test.ts). A factory makes a fresh database per test; `open` opens a
 * store on it (several for a shared store: several nodes on one database).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/call/record.js';
import { planRoute } from '../../src/routing/route.js';
import type { SwitchboardStore } from '../../src/runtime/store.js';
import { makeConfig } from '../routing/fixtures.js';

export interface StoreDatabase {
  /** A store on this database; `node` names the controller (a shared store needs one). */
  open(node?: string): Promise<SwitchboardStore>;
  /** Remove the database. */
  drop(): Promise<void>;
}

export interface StoreFactory {
  /** Several stores (nodes) may share one database. */
  shared: boolean;
  database(): Promise<StoreDatabase>;
}

export function call(id: string, startedAt: string, extra: Partial<CallRecord> = {}): CallRecord {
  return {
    id, backend: 'asterisk', startedAt, from: '+12025550999', to: '+12025550200', outcome: 'answered',
    answeredBy: { user: 'alice', device: 'desk' }, legs: [], rules: ['number-user'], durationSeconds: 12,
    ringSeconds: 3, talkSeconds: 9, answeredAt: null, endedAt: null, detail: null, trace: ['t'], passedOver: [], ...extra,
  };
}

const TO = '+12025550201';
const rrConfig = makeConfig({
  numbers: [{ number: TO, distribution: 'd' }],
  ringGroups: [{ id: 'rr', strategy: 'round-robin', members: ['alice', 'bob', 'carol'] }],
  distributions: [{ id: 'd', steps: ['rr'] }],
});

/** One round-robin call planned inside `take`: the member it rings. */
export async function takeMember(store: SwitchboardStore, i: number, config = rrConfig, avail?: { dnd: Set<string> }): Promise<string> {
  const plan = await store.cursors.take((cursors) => {
    const r = planRoute({ from: `+1202555${String(1000 + i)}`, to: TO }, config, { contact: null, cursors, ...(avail ? { availability: avail } : {}) });
    return { result: r.plan, moves: r.cursorMoves };
  });
  return plan.steps[0]!.members[0]!.user!;
}

export function storeSuite(name: string, factory: StoreFactory): void {
  describe(`store suite: ${name}`, () => {
    let db: StoreDatabase;
    let store: SwitchboardStore;
    const extra: SwitchboardStore[] = [];
    beforeEach(async () => {
      db = await factory.database();
      store = await db.open('n1');
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await store.close();
      await db.drop();
    });

    it('contacts: batch upsert counts new and updated, the later row wins, look-ups and the incremental sync see them', async () => {
      const r = await store.contacts.upsertBatch([
        { phone: '+12025550101', name: 'A', owner: 'alice', fields: { crm: '1' } },
        { phone: '+12025550102', name: 'B', owner: null, fields: {} },
        { phone: '+12025550101', name: 'A2', owner: 'bob', fields: {} },
      ]);
      expect(r).toEqual({ inserted: 2, updated: 1 });
      expect(await store.contacts.get('+12025550101')).toEqual({ phone: '+12025550101', name: 'A2', owner: 'bob', fields: {} });
      expect(await store.contacts.get('+19999999999')).toBeNull();
      expect(await store.contacts.count()).toBe(2);
      expect(await store.contacts.upsertBatch([{ phone: '+12025550102', name: 'B', owner: 'carol', fields: { x: 'y' } }])).toEqual({ inserted: 0, updated: 1 });
      const page = await store.contacts.changedSince({ updatedAt: '', phone: '' }, 10);
      expect(page.map((p) => [p.phone, p.owner])).toEqual([['+12025550101', 'bob'], ['+12025550102', 'carol']].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
      const after = await store.contacts.changedSince({ updatedAt: page[page.length - 1]!.updated_at, phone: page[page.length - 1]!.phone }, 10);
      expect(after).toEqual([]);
    });

    it('contacts: a batch larger than one statement chunk is stored whole', async () => {
      const rows = Array.from({ length: 6001 }, (_, i) => ({ phone: `+1202${String(5000000 + i)}`, name: `c${i}`, owner: i % 2 ? 'alice' : null, fields: {} }));
      expect(await store.contacts.upsertBatch(rows)).toEqual({ inserted: 6001, updated: 0 });
      expect(await store.contacts.count()).toBe(6001);
    });

    it('cursors: 60 calls taken together over a 3-member round robin give each member 20, and the cursor is stored', async () => {
      const members = await Promise.all(Array.from({ length: 60 }, (_, i) => takeMember(store, i)));
      const counts = new Map<string, number>();
      for (const m of members) counts.set(m, (counts.get(m) ?? 0) + 1);
      expect(Object.fromEntries(counts)).toEqual({ alice: 20, bob: 20, carol: 20 });
      expect((await store.cursors.peek()).get('rr')).toBe(0);
    });

    it('cursors: a member who cannot be rung is passed over and the cursor moves past the one taken', async () => {
      expect(await takeMember(store, 1)).toBe('alice');
      expect(await takeMember(store, 2, rrConfig, { dnd: new Set(['bob']) })).toBe('carol');
      expect(await takeMember(store, 3)).toBe('alice');
      expect((await store.cursors.peek()).get('rr')).toBe(1);
    });

    it('call log: one row per call however often it is written, newest first, filtered by time, node and limit', async () => {
      await store.calls.upsert(call('c1', '2026-01-01T10:00:00.000Z', { outcome: null }));
      await store.calls.upsert(call('c1', '2026-01-01T10:00:00.000Z', { outcome: 'answered' }));
      await store.calls.upsert(call('c2', '2026-01-01T11:00:00.000Z', { outcome: 'voicemail' }));
      await store.calls.upsert(call('c3', '2026-01-01T09:00:00.000Z'));
      const all = await store.calls.list();
      expect(all.map((c) => c.id)).toEqual(['c2', 'c1', 'c3']);
      expect(all[1]!.outcome).toBe('answered');
      expect(all.every((c) => c.node === 'n1')).toBe(true);
      expect((await store.calls.list({ since: new Date('2026-01-01T10:00:00Z') })).map((c) => c.id)).toEqual(['c2', 'c1']);
      expect((await store.calls.list({ limit: 1 })).map((c) => c.id)).toEqual(['c2']);
      expect(await store.calls.list({ node: 'elsewhere' })).toEqual([]);
      expect((await store.calls.list({ node: 'n1' })).length).toBe(3);
      expect((await store.calls.get('c2'))!.outcome).toBe('voicemail');
      expect(await store.calls.get('nope')).toBeNull();
    });

    it('call log: finished rows older than the cut are pruned, calls in progress kept', async () => {
      await store.calls.upsert(call('old', '2020-01-01T00:00:00.000Z'));
      await store.calls.upsert(call('open', '2020-01-01T00:00:00.000Z', { outcome: null }));
      await store.calls.upsert(call('new', '2026-01-01T00:00:00.000Z'));
      expect(await store.calls.pruneEnded(new Date('2025-01-01T00:00:00Z'))).toBe(1);
      expect((await store.calls.list()).map((c) => c.id).sort()).toEqual(['new', 'open']);
    });

    it('call state: saved, replaced, deleted, listed', async () => {
      await store.calls.saveState('a', { phase: 'ringing' });
      await store.calls.saveState('b', { phase: 'ringing' });
      await store.calls.saveState('a', { phase: 'bridged' });
      await store.calls.deleteState('b');
      expect(await store.calls.listStates()).toEqual([{ id: 'a', state: { phase: 'bridged' } }]);
    });

    it('schedule overrides, the run-time block list and do-not-disturb', async () => {
      await store.overrides.set('office', 'closed');
      await store.overrides.set('office', 'open');
      await store.overrides.set('shop', 'closed');
      await store.overrides.set('shop', null);
      expect((await store.overrides.list()).map((o) => [o.scheduleId, o.state])).toEqual([['office', 'open']]);
      expect(await store.blocked.add('+1900*')).toBe(true);
      expect(await store.blocked.add('+1900*')).toBe(false);
      expect(await store.blocked.add('+12025550666')).toBe(true);
      expect(await store.blocked.remove('+12025550666')).toBe(true);
      expect(await store.blocked.remove('+12025550666')).toBe(false);
      expect((await store.blocked.list()).map((b) => b.pattern)).toEqual(['+1900*']);
      expect(await store.dnd.set('alice', true, new Date('2026-01-01T00:00:00Z'))).toBe(true);
      expect(await store.dnd.set('alice', true, new Date('2026-02-01T00:00:00Z'))).toBe(false);
      expect(await store.dnd.list()).toEqual([{ userId: 'alice', since: '2026-01-01T00:00:00.000Z' }]);
      expect(await store.dnd.set('alice', false)).toBe(true);
      expect(await store.dnd.list()).toEqual([]);
    });

    it('group answers: answered, ended, loaded (last end, open calls, the last day) and tidied', async () => {
      const now = Date.parse('2026-01-10T12:00:00Z');
      await store.groupAnswers.answered('c1', 'g', 'alice', now - 60_000);
      await store.groupAnswers.ended('c1', now - 30_000);
      await store.groupAnswers.answered('c2', 'g', 'bob', now - 10_000);
      await store.groupAnswers.answered('c3', 'g', 'carol', now - 3 * 86_400_000);
      await store.groupAnswers.ended('c3', now - 3 * 86_400_000 + 1000);
      const h = await store.groupAnswers.load(now);
      expect(h.get('g')!.get('alice')).toEqual({ lastEnded: now - 30_000, open: new Set(), answered: [now - 60_000] });
      expect(h.get('g')!.get('bob')).toEqual({ open: new Set(['c2']), answered: [now - 10_000] });
      expect(h.get('g')!.get('carol')!.answered).toEqual([]);
      await store.groupAnswers.tidy(new Set(), now);
      expect((await store.groupAnswers.load(now)).get('g')!.get('bob')).toEqual({ lastEnded: now, open: new Set(), answered: [now - 10_000] });
    });

    it('opening the same database again keeps what was stored (migrations run once)', async () => {
      await store.dnd.set('alice', true);
      const again = await db.open('n2');
      extra.push(again);
      expect((await again.dnd.list()).map((d) => d.userId)).toEqual(['alice']);
    });

    if (factory.shared) {
      it('two nodes on one database: 90 calls taken at once, alternating nodes, give each member 30 and no member twice in a row', async () => {
        const other = await db.open('n2');
        extra.push(other);
        // Two "nodes" taking in turn: each take is the other's stale cache.
        const seq: string[] = [];
        for (let i = 0; i < 30; i++) seq.push(await takeMember(i % 2 ? other : store, i));
        for (let i = 1; i < seq.length; i++) expect(seq[i]).not.toBe(seq[i - 1]);
        const together = await Promise.all(Array.from({ length: 60 }, (_, i) => takeMember(i % 2 ? other : store, i)));
        const counts = new Map<string, number>();
        for (const m of [...seq, ...together]) counts.set(m, (counts.get(m) ?? 0) + 1);
        expect(Object.fromEntries(counts)).toEqual({ alice: 30, bob: 30, carol: 30 });
      });

      it('two nodes on one database: each lists its own call states, the log holds both rows of the same call id', async () => {
        const other = await db.open('n2');
        extra.push(other);
        await store.calls.saveState('same', { phase: 'ringing', by: 'n1' });
        await other.calls.saveState('same', { phase: 'ringing', by: 'n2' });
        await store.calls.upsert(call('same', '2026-01-01T10:00:00.000Z'));
        await other.calls.upsert(call('same', '2026-01-01T10:00:01.000Z'));
        expect(await store.calls.listStates()).toEqual([{ id: 'same', state: { phase: 'ringing', by: 'n1' } }]);
        expect(await other.calls.listStates()).toEqual([{ id: 'same', state: { phase: 'ringing', by: 'n2' } }]);
        expect((await store.calls.list()).map((c) => c.node)).toEqual(['n2', 'n1']);
        expect((await store.calls.list({ node: 'n2' })).map((c) => c.node)).toEqual(['n2']);
      });
    }
  });
}
