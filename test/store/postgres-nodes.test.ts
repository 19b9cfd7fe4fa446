/**
 * PostgreSQL as the store of several controllers (spec section 10): migrations run once when
 * several start together, a node name is held by one live controller, presence crosses nodes
 * (and expires), and call-log writes queue while the database is down and are written when it is
 * back.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { PRESENCE_CHANNEL, PresenceBus } from '../../src/store/postgres/presence.js';
import { nodeTaken } from '../../src/store/postgres/index.js';
import { describePostgres, startPostgres, type RunningPostgres } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';
import { call } from './suite.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describePostgres('PostgreSQL shared by several controllers', () => {
  let server: RunningPostgres;
  let n = 0;
  const fresh = () => server.createDatabase(`nodes_${++n}`);
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A migrated database with the presence of nodes a and b on it; b reads `now` for its 15 s expiry. */
  async function twoNodes(now: () => number): Promise<{ a: PresenceBus; b: PresenceBus }> {
    const url = await fresh();
    await (await PostgresStore.open(url, { node: 'x', log: quiet })).close(); // migrated
    const a = await PresenceBus.start(url, 'a', quiet, () => nodeTaken('a'), { heartbeatMs: 60_000 });
    const b = await PresenceBus.start(url, 'b', quiet, () => nodeTaken('b'), { heartbeatMs: 60_000, expireMs: 15_000, now });
    return { a, b };
  }

  it('given six controllers opening one new database at once, then each migration is applied exactly once', async () => {
    const url = await fresh();
    const stores = await Promise.all(Array.from({ length: 6 }, (_, i) => PostgresStore.open(url, { node: `n${i}`, log: quiet, lockNode: true })));
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query<{ version: number }>('SELECT version FROM switchboard_migrations ORDER BY version');
    await c.end();
    expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    await Promise.all(stores.map((s) => s.close()));
  });

  it('given a live controller named ast1, then a second one named ast1 is refused with a clear error, and may start once the first stopped', async () => {
    const url = await fresh();
    const first = await PostgresStore.open(url, { node: 'ast1', log: quiet, lockNode: true });
    const other = await PostgresStore.open(url, { node: 'ast2', log: quiet, lockNode: true });
    await expect(PostgresStore.open(url, { node: 'ast1', log: quiet, lockNode: true })).rejects.toMatchObject({ code: 'STORE_NODE_TAKEN', message: expect.stringMatching(/node "ast1" is already running/) });
    // A CLI (`switchboard calls`) on the same node name takes no lock.
    const cli = await PostgresStore.open(url, { node: 'ast1', log: quiet });
    await cli.close();
    await first.close();
    const again = await PostgresStore.open(url, { node: 'ast1', log: quiet, lockNode: true });
    await again.close();
    await other.close();
  });

  it('given a user bridged on one node, then the other sees her on a call within half a second, and not once that node is quiet for the expiry', async () => {
    let clock = Date.now();
    const { a, b } = await twoNodes(() => clock);
    try {
      const t0 = Date.now();
      a.publish({ users: ['alice'], inUse: [] });
      await waitFor(() => b.has('alice'), 2000, 'alice on a call on node a');
      const lag = Date.now() - t0;
      expect(lag).toBeLessThan(500);
      expect(a.has('alice')).toBe(false); // a node does not hear itself
      a.publish({ users: [], inUse: [] });
      await waitFor(() => !b.has('alice'), 2000, 'alice off the call');
      a.publish({ users: ['bob'], inUse: [] });
      await waitFor(() => b.has('bob'), 2000, 'bob on a call');
      clock += 15_001; // node a has not been heard from for 15 s
      expect(b.has('bob')).toBe(false);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it("given a phone registered on node a's PBX only, then node b counts it registered until a has been quiet for the expiry", async () => {
    let clock = Date.now();
    const { a, b } = await twoNodes(() => clock);
    try {
      a.publish({ users: [], inUse: ['1002'], registered: ['1001', '1002'] });
      await waitFor(() => b.deviceRegistered('1001'), 2000, '1001 registered on node a');
      expect(b.deviceRegistered('1002')).toBe(true); // in use implies registered
      expect(b.deviceRegistered('1003')).toBe(false);
      a.publish({ users: [], inUse: [], registered: ['1002'] });
      await waitFor(() => !b.deviceRegistered('1001'), 2000, '1001 unregistered on node a');
      clock += 15_001; // node a not heard from for 15 s: its view no longer counts
      expect(b.deviceRegistered('1002')).toBe(false);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('given a presence state far over the 8000-byte NOTIFY limit, then it reaches the other node whole, in several notifications', async () => {
    const url = await fresh();
    await (await PostgresStore.open(url, { node: 'x', log: quiet })).close(); // migrated
    const a = await PresenceBus.start(url, 'a', quiet, () => nodeTaken('a'), { heartbeatMs: 60_000 });
    const b = await PresenceBus.start(url, 'b', quiet, () => nodeTaken('b'), { heartbeatMs: 60_000 });
    const heard: string[] = [];
    const spy = new pg.Client({ connectionString: url });
    await spy.connect();
    spy.on('notification', (m) => heard.push(m.payload ?? ''));
    await spy.query(`LISTEN ${PRESENCE_CHANNEL}`);
    try {
      const users = Array.from({ length: 1500 }, (_, i) => `user-${i}`);
      const desks = Array.from({ length: 2500 }, (_, i) => `desk-${i}`);
      const inUse = desks.slice(0, 400);
      expect(Buffer.byteLength(JSON.stringify({ node: 'a', users, inUse, registered: desks }))).toBeGreaterThan(8000 * 5);
      a.publish({ users, inUse, registered: desks });
      await waitFor(() => b.has('user-1499') && b.deviceRegistered('desk-2499'), 5000, 'the whole state on node b');
      expect(users.every((u) => b.has(u))).toBe(true);
      expect(inUse.every((e) => b.deviceInUse(e))).toBe(true);
      expect(desks.every((e) => b.deviceRegistered(e))).toBe(true);
      expect(b.deviceInUse('desk-400')).toBe(false);
      await waitFor(() => heard.length > 1, 2000, 'the notifications');
      expect(heard.every((p) => Buffer.byteLength(p) < 8000)).toBe(true);
      // The next, small state replaces the big one whole.
      a.publish({ users: ['alice'], inUse: [], registered: [] });
      await waitFor(() => !b.has('user-0'), 2000, 'the big state replaced');
      expect(b.has('alice')).toBe(true);
      expect(b.deviceRegistered('desk-0')).toBe(false);
    } finally {
      await spy.end();
      await a.stop();
      await b.stop();
    }
  });

  it('given PostgreSQL stops during calls, then writes queue, the store says it is down, and every row is written once it is back', async () => {
    const url = await fresh();
    const store = await PostgresStore.open(url, { node: 'ast1', log: quiet, lockNode: true });
    try {
      await store.calls.upsert(call('before', '2026-01-01T10:00:00.000Z'));
      await store.calls.flush();
      await server.halt();
      // Calls go on: each writes its row at start and at the end; none waits for the database.
      for (let i = 0; i < 20; i++) {
        await store.calls.upsert(call(`during-${i}`, `2026-01-01T10:01:${String(i).padStart(2, '0')}.000Z`, { outcome: null }));
        await store.calls.upsert(call(`during-${i}`, `2026-01-01T10:01:${String(i).padStart(2, '0')}.000Z`, { outcome: 'answered' }));
      }
      await waitFor(() => !store.health().up, 5000, 'the store to say it is down');
      expect(store.health()).toMatchObject({ up: false, queued: 20, overflowed: 0, reason: expect.stringMatching(/PostgreSQL unreachable/) });
      await expect(store.calls.list()).rejects.toMatchObject({ code: 'STORE_FAILED' });
      await server.restart();
      await waitFor(() => store.health().up && store.health().queued === 0, 15_000, 'the queue to be written');
      const rows = await store.calls.list();
      expect(rows.map((r) => r.id).sort()).toEqual(['before', ...Array.from({ length: 20 }, (_, i) => `during-${i}`)].sort());
      expect(rows.every((r) => r.outcome === 'answered' && r.node === 'ast1')).toBe(true);
    } finally {
      await server.restart();
      await store.close();
    }
  });

  it('given the queue is full while PostgreSQL is down, then the oldest writes are dropped and counted', async () => {
    const url = await fresh();
    const store = await PostgresStore.open(url, { node: 'ast1', log: quiet, maxQueued: 5 });
    try {
      await server.halt();
      for (let i = 0; i < 8; i++) await store.calls.upsert(call(`c${i}`, '2026-01-01T10:00:00.000Z'));
      expect(store.health()).toMatchObject({ queued: 5, overflowed: 3 });
      await server.restart();
      await waitFor(() => store.health().queued === 0, 15_000, 'the queue to be written');
      expect((await store.calls.list()).map((r) => r.id).sort()).toEqual(['c3', 'c4', 'c5', 'c6', 'c7']);
    } finally {
      await server.restart();
      await store.close();
    }
  });
  it('given PostgreSQL stops between group answers, then the answer history queues with the call log and is written once it is back', async () => {
    const url = await fresh();
    const store = await PostgresStore.open(url, { node: 'ast1', log: quiet, lockNode: true });
    const t = Date.now();
    try {
      await store.groupAnswers.answered('g-1', 'lr', 'alice', t - 60_000);
      await store.groupAnswers.ended('g-1', t - 50_000);
      await server.halt();
      // The writes wait in the queue (none of them waits for the database before the call goes on).
      const written = Promise.all([store.groupAnswers.answered('g-2', 'lr', 'bob', t - 40_000), store.groupAnswers.ended('g-2', t - 30_000)]);
      await store.calls.upsert(call('g-2', '2026-01-01T10:00:00.000Z'));
      await waitFor(() => !store.health().up, 5000, 'the store to say it is down');
      expect(store.health()).toMatchObject({ up: false, queued: 3, overflowed: 0 });
      await server.restart();
      await written;
      await waitFor(() => store.health().up && store.health().queued === 0, 15_000, 'the queue to be written');
      const h = (await store.groupAnswers.load(t, ['lr'])).get('lr')!;
      expect(h.get('alice')).toEqual({ lastEnded: t - 50_000, open: new Set(), answered: [t - 60_000] });
      expect(h.get('bob')).toEqual({ lastEnded: t - 30_000, open: new Set(), answered: [t - 40_000] });
    } finally {
      await server.restart();
      await store.close();
    }
  });

  it('given the queue is full of group answers while PostgreSQL is down, then the oldest are dropped, counted, and their writers told', async () => {
    const url = await fresh();
    const store = await PostgresStore.open(url, { node: 'ast1', log: quiet, maxQueued: 2 });
    const t = Date.now();
    try {
      await server.halt();
      const writes = ['a', 'b', 'c'].map((u, i) => store.groupAnswers.answered(`q-${i}`, 'lr', u, t - 1000 + i));
      const results = Promise.allSettled(writes);
      expect(store.health()).toMatchObject({ queued: 2, overflowed: 1 });
      await server.restart();
      expect((await results).map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
      expect([...(await store.groupAnswers.load(t, ['lr'])).get('lr')!.keys()].sort()).toEqual(['b', 'c']);
    } finally {
      await server.restart();
      await store.close();
    }
  });
});
