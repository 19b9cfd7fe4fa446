/**
 * Spec: "two calls arriving together get different members". 200 concurrent calls through
 * store.cursors.take + planRoute over a 3-member round-robin group spread evenly.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planRoute } from '../../src/routing/route.js';
import { Store } from '../../src/store/index.js';
import { makeConfig } from './fixtures.js';

const TO = '+12025550201';
const config = makeConfig({
  numbers: [{ number: TO, distribution: 'd' }],
  ringGroups: [{ id: 'rr', strategy: 'round-robin', members: ['alice', 'bob', 'carol'] }],
  distributions: [{ id: 'd', steps: ['rr'] }],
});

let store: Store;
beforeEach(async () => {
  store = await Store.open(':memory:');
});
afterEach(async () => {
  await store.close();
});

describe('round-robin under concurrency', () => {
  it('given 200 calls arriving together, when each plans inside cursors.take, then each member gets 66 or 67 calls', async () => {
    // when
    const plans = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.cursors.take((cursors) => {
          const r = planRoute({ from: `+1202555${String(1000 + i)}`, to: TO }, config, { contact: null, cursors });
          return { result: r.plan, moves: r.cursorMoves };
        }),
      ),
    );
    // then
    const counts = new Map<string, number>();
    for (const p of plans) {
      const user = p.steps[0]!.members[0]!.user!;
      counts.set(user, (counts.get(user) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['alice', 'bob', 'carol']);
    for (const n of counts.values()) expect([66, 67]).toContain(n);
    expect((await store.cursors.peek()).get('rr')).toBe(200 % 3);
  });
});
