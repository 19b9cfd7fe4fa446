/**
 * Section 10 across nodes, at the Presence level (what the planner reads): a user bridged on one
 * node is `on a call` for the other within half a second (LISTEN/NOTIFY), and a least-recent
 * group's order on one node follows the answers made on the other (one statement before planning).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
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
  const presence = (s: PostgresStore) => new Presence({ answers: s.groupAnswers, dnd: () => new Set(), devices: new DeviceStates(), log: quiet, shared: { bus: s.presenceBus } });
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
});
