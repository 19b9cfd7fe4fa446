/**
 * The ARI event filter (src/backend/asterisk/event-filter.ts): set on connect, honoured by the
 * simulator as by Asterisk, and never hiding an event type the controller reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNREAD_ARI_EVENTS } from '../../src/backend/asterisk/event-filter.js';
import type { SimEventRecord } from '../../src/sim/asterisk/types.js';
import { AsteriskHarness } from '../scenarios/asterisk-harness.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { REPO_ROOT } from '../support/shared.js';
import { waitFor } from '../support/wait.js';

/** Every ARI event type named in a comparison or a case anywhere in src/ outside the simulators. */
function eventTypesRead(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== join(REPO_ROOT, 'src/sim')) walk(p);
      } else if (e.name.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/(?:type\s*[!=]==\s*|case\s+|\.on\(\s*)'([A-Z][A-Za-z]+)'/g)) found.add(m[1]!);
      }
    }
  };
  walk(join(REPO_ROOT, 'src'));
  return found;
}

describe('ARI event filter', () => {
  it('given the types the controller compares events against, then none of them is filtered out', () => {
    const read = eventTypesRead();
    // The scan finds the types the call flow lives on (it would find nothing if the pattern broke).
    expect([...read]).toEqual(expect.arrayContaining(['StasisStart', 'StasisEnd', 'ChannelDestroyed', 'ChannelHangupRequest', 'Dial']));
    expect(UNREAD_ARI_EVENTS.filter((t) => read.has(t))).toEqual([]);
  });

  describe('against the ARI simulator', () => {
    const h = new AsteriskHarness();
    const records: SimEventRecord[] = [];
    beforeAll(async () => {
      await h.start(SCENARIO_CONFIG);
      h.sim.events.on('event', (r: SimEventRecord) => records.push(r));
    });
    afterAll(() => h.stop());

    const app = async () => {
      const res = await fetch(`${h.sim.url}/ari/applications/switchboard`, { headers: { authorization: `Basic ${Buffer.from('switchboard:test-secret').toString('base64')}` } });
      return (await res.json()) as { events_disallowed: { type: string }[] };
    };

    it('given the controller connected, then its app has the filter', async () => {
      await waitFor(async () => (await app()).events_disallowed.length > 0, 3000, 'event filter set');
      expect((await app()).events_disallowed.map((e) => e.type)).toEqual([...UNREAD_ARI_EVENTS]);
    });

    it('given a call answered and ended, then no filtered type reaches the controller and the call is logged as before', async () => {
      h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 50 });
      h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
      records.length = 0;
      const call = await h.placeCall({ from: '+12025550999', to: '+12025550200', hangupAfterMs: 800 });
      const r = await h.waitForRecord(call);
      expect(r.outcome).toBe('answered');
      const mine = records.filter((e) => e.app === 'switchboard');
      const unread = new Set<string>(UNREAD_ARI_EVENTS);
      // The simulator produced some of them: the test would pass vacuously otherwise.
      expect(mine.some((e) => unread.has(String(e.event.type)))).toBe(true);
      expect(mine.filter((e) => e.delivered && unread.has(String(e.event.type)))).toEqual([]);
      expect(mine.filter((e) => e.delivered).map((e) => e.event.type)).toEqual(expect.arrayContaining(['StasisStart', 'StasisEnd', 'ChannelDestroyed']));
    });

    it('given the answering phone hangs up, then the bridge is destroyed with one request, not one per party', async () => {
      const rest = (h.controller.backend as unknown as { rest: { destroyBridge: (id: string) => Promise<void> } }).rest;
      const destroyed: string[] = [];
      const original = rest.destroyBridge.bind(rest);
      rest.destroyBridge = (id: string) => {
        destroyed.push(id);
        return original(id);
      };
      try {
        h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 50, talkMs: 300 });
        h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
        const call = await h.placeCall({ from: '+12025550998', to: '+12025550200' });
        expect((await h.waitForRecord(call)).outcome).toBe('answered');
        await waitFor(() => h.live().bridges === 0, 3000, 'bridge gone');
        expect(destroyed).toHaveLength(1);
      } finally {
        rest.destroyBridge = original;
      }
    });
  });
});
