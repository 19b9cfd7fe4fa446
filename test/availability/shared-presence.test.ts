/**
 * Section 10 across nodes, at the Presence level (what the planner reads): a user bridged on one
 * node is `on a call` for the other within half a second (LISTEN/NOTIFY), and a least-recent
 * group's order on one node follows the answers made on the other (one statement before planning).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkUser } from '../../src/routing/availability.js';
import { historyOrder } from '../../src/routing/history-order.js';
import { DeviceStates, Presence } from '../../src/runtime/presence.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { describePostgres, startPostgres, type RunningPostgres } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';
import { makeConfig } from '../routing/fixtures.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describePostgres('presence and group history shared between two nodes', () => {
  let server: RunningPostgres;
  let a: PostgresStore;
  let b: PostgresStore;
  const config = makeConfig();
  const presence = (s: PostgresStore, devices = new DeviceStates()) => new Presence({ answers: s.groupAnswers, dnd: () => new Set(), devices, log: quiet, shared: { bus: s.presenceBus } });
  beforeAll(async () => {
    server = await startPostgres();
    const url = await server.createDatabase('shared_presence');
    a = await PostgresStore.open(url, { node: 'ast1', log: quiet, lockNode: true });
    b = await PostgresStore.open(url, { node: 'ast2', log: quiet, lockNode: true });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.stop();
  });

  it('given bob bridged on ast1, then ast2 counts him on a call within half a second, and not once the call ended', async () => {
    const pa = presence(a);
    const pb = presence(b);
    await pa.start();
    await pb.start();
    const t0 = Date.now();
    pa.answered('call-1', 'bob', undefined);
    await waitFor(() => pb.availability().bridged?.has('bob'), 2000, 'bob on a call on ast2');
    expect(Date.now() - t0).toBeLessThan(500);
    pa.ended('call-1');
    await waitFor(() => !pb.availability().bridged?.has('bob'), 2000, 'bob off the call on ast2');
  });

  it('given alice answered a least-recent group call on ast1, then ast2 rings bob (never answered) before her', async () => {
    const group = makeConfig({ ringGroups: [{ id: 'lr', strategy: 'least-recent', members: ['alice', 'bob'] }] }).ringGroups[0]!;
    const pa = presence(a);
    const pb = presence(b);
    await pa.start();
    await pb.start();
    expect(historyOrder(group, pb.availability()).order).toEqual(['alice', 'bob']); // nobody answered yet: config order
    pa.answered('call-2', 'alice', 'lr');
    pa.ended('call-2');
    await waitFor(async () => (await b.groupAnswers.load(Date.now(), ['lr'])).get('lr')?.get('alice')?.lastEnded !== undefined, 2000, 'the answer written');
    expect(historyOrder(group, pb.availability()).order).toEqual(['alice', 'bob']); // not read yet
    await pb.refreshHistory(['lr']);
    expect(historyOrder(group, pb.availability()).order).toEqual(['bob', 'alice']);
  });

  it('given PostgreSQL stopped and restarted between two answers on ast1, then ast2 orders the group by both once it is back', async () => {
    const group = makeConfig({ ringGroups: [{ id: 'lr2', strategy: 'least-recent', members: ['alice', 'bob', 'carol'] }] }).ringGroups[0]!;
    const pa = presence(a);
    const pb = presence(b);
    await pa.start();
    await pb.start();
    pa.answered('r-1', 'alice', 'lr2');
    pa.ended('r-1');
    await waitFor(() => a.health().queued === 0, 5000, 'the first answer written');
    await server.halt();
    try {
      pa.answered('r-2', 'bob', 'lr2');
      pa.ended('r-2');
      await waitFor(() => !a.health().up, 5000, 'ast1 to see the store down');
      expect(a.health().queued).toBeGreaterThan(0);
      expect(historyOrder(group, pa.availability()).order).toEqual(['carol', 'alice', 'bob']); // memory has both
    } finally {
      await server.restart();
    }
    await waitFor(() => a.health().up && a.health().queued === 0, 15_000, 'the queued answers written');
    await pb.refreshHistory(['lr2']);
    expect(historyOrder(group, pb.availability()).order).toEqual(['carol', 'alice', 'bob']);
    // The node connections come back on their own back-off: the next tests need them listening.
    await waitFor(() => a.presenceBus?.isConnected() && b.presenceBus?.isConnected(), 15_000, 'both nodes listening again');
  });

  it("given a phone registered on ast1's PBX and not on ast2's, then ast2 rings it (unavailable only when every live node says so), and passes it over once ast1 loses it too", async () => {
    const devicesA = new DeviceStates();
    const devicesB = new DeviceStates();
    const pa = presence(a, devicesA);
    const pb = presence(b, devicesB);
    await pa.start();
    await pb.start();
    devicesB.set('1002', 'unavailable');
    devicesA.set('1002', 'idle');
    await waitFor(() => pb.availability().device?.('1002') === 'idle', 2000, '1002 registered on ast1, seen on ast2');
    expect(checkUser(config, 'bob', pb.availability(), { skipBusy: false }).ok).toBe(true);
    devicesA.set('1002', 'unavailable');
    await waitFor(() => pb.availability().device?.('1002') === 'unavailable', 2000, '1002 unregistered everywhere');
    expect(checkUser(config, 'bob', pb.availability(), { skipBusy: false })).toMatchObject({ ok: false, reason: 'not registered' });
  });

  it("given a phone in use on ast1's PBX, then ast2 counts it in use too (in-use on any node counts), and idle again once it is", async () => {
    const devicesA = new DeviceStates();
    const pa = presence(a, devicesA);
    const pb = presence(b);
    await pa.start();
    await pb.start();
    expect(pb.availability().device?.('1003')).toBe('unknown');
    devicesA.set('1003', 'in-use');
    await waitFor(() => pb.availability().device?.('1003') === 'in-use', 2000, '1003 in use on ast2');
    devicesA.set('1003', 'idle');
    await waitFor(() => pb.availability().device?.('1003') === 'unknown', 2000, '1003 no longer in use on ast2');
  });
});
