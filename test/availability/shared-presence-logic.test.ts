/**
 * Presence on a shared store (section 10), without a database: a fake bus stands for the other
 * nodes and a fake answer store for PostgreSQL. The group history this node has not written yet
 * survives a refresh that reads the store first; a phone is unavailable only when no other live
 * node has it registered; the node publishes its own registrations.
 */
import { describe, expect, it } from 'vitest';
import { checkUser } from '../../src/routing/availability.js';
import { historyOrder } from '../../src/routing/history-order.js';
import { DeviceStates, Presence } from '../../src/runtime/presence.js';
import type { GroupAnswerPort, MemberHistoryRow, SharedPresencePort } from '../../src/runtime/store.js';
import { makeConfig } from '../routing/fixtures.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const GROUP = { id: 'lr', strategy: 'least-recent' as const, members: ['alice', 'bob', 'carol'], skipBusy: false, wrapUpSeconds: 0 };

/** An answer store whose writes wait until `release()` and whose reads see only what was released. */
function slowAnswers() {
  const written = new Map<string, Map<string, MemberHistoryRow>>();
  const waiting: (() => void)[] = [];
  const entry = (g: string, u: string) => {
    let byUser = written.get(g);
    if (!byUser) written.set(g, (byUser = new Map()));
    let h = byUser.get(u);
    if (!h) byUser.set(u, (h = { open: new Set(), answered: [] }));
    return h;
  };
  const calls = new Map<string, { g: string; u: string }>();
  const port: GroupAnswerPort = {
    answered: (callId, g, u, at) =>
      new Promise<void>((r) =>
        waiting.push(() => {
          calls.set(callId, { g, u });
          entry(g, u).open.add(callId);
          entry(g, u).answered.push(at);
          r();
        }),
      ),
    ended: (callId, at) =>
      new Promise<void>((r) =>
        waiting.push(() => {
          const c = calls.get(callId);
          if (c) {
            entry(c.g, c.u).open.delete(callId);
            entry(c.g, c.u).lastEnded = at;
          }
          r();
        }),
      ),
    tidy: async () => undefined,
    load: async (_now, groups) => {
      const out = new Map<string, Map<string, MemberHistoryRow>>();
      for (const [g, byUser] of written) {
        if (groups && !groups.includes(g)) continue;
        out.set(g, new Map([...byUser].map(([u, h]) => [u, { ...h, open: new Set(h.open), answered: [...h.answered] }])));
      }
      return out;
    },
  };
  return { port, release: async () => { for (const w of waiting.splice(0)) w(); await Promise.resolve(); } };
}

describe('shared presence: group history not yet written', () => {
  it('given answers still queued for the store, when the history is refreshed from it, then least-recent still counts them', async () => {
    const clock = { t: Date.parse('2026-12-01T09:00:00Z') };
    const answers = slowAnswers();
    const p = new Presence({ answers: answers.port, dnd: () => new Set(), devices: new DeviceStates(), log: quiet, now: () => clock.t, shared: { bus: null } });
    await p.start();
    p.answered('c1', 'alice', 'lr');
    clock.t += 1000;
    p.ended('c1');
    p.answered('c2', 'bob', 'lr'); // still in progress: the most recent of all
    await p.refreshHistory(['lr']); // the store has none of it yet (PostgreSQL was down)
    expect(historyOrder(GROUP, p.availability()).order).toEqual(['carol', 'alice', 'bob']);
    await answers.release();
    await p.refreshHistory(['lr']); // written now: the same order from the store alone
    expect(historyOrder(GROUP, p.availability()).order).toEqual(['carol', 'alice', 'bob']);
    p.ended('c2');
    await answers.release();
    await p.refreshHistory(['lr']);
    expect(historyOrder(GROUP, p.availability()).order).toEqual(['carol', 'alice', 'bob']);
    expect(p.availability().history?.get('lr')?.get('bob')).toMatchObject({ inProgress: false, lastEnded: clock.t });
  });
});

/** The other nodes, as the planner sees them through the bus. */
function fakeBus(other: { users?: string[]; inUse?: string[]; registered?: string[] } = {}) {
  const published: { users: string[]; inUse: string[]; registered: string[] }[] = [];
  const bus: SharedPresencePort & { other: typeof other } = {
    other,
    has: (u) => bus.other.users?.includes(u) ?? false,
    deviceInUse: (e) => bus.other.inUse?.includes(e) ?? false,
    deviceRegistered: (e) => bus.other.registered?.includes(e) ?? false,
    publish: (s) => void published.push({ users: [...s.users].sort(), inUse: [...s.inUse].sort(), registered: [...(s.registered ?? [])].sort() }),
  };
  return { bus, published };
}

const noAnswers: GroupAnswerPort = { answered: async () => undefined, ended: async () => undefined, tidy: async () => undefined, load: async () => new Map() };

describe('shared presence: device state across nodes', () => {
  const config = makeConfig();
  const on = (bus: SharedPresencePort, devices = new DeviceStates()) => new Presence({ answers: noAnswers, dnd: () => new Set(), devices, log: quiet, shared: { bus } });

  it.each([
    ['registered on another node', 'idle', { registered: ['1002'] }],
    ['in use on another node', 'in-use', { inUse: ['1002'], registered: ['1002'] }],
    ['registered on no other node', 'unavailable', {}],
    ['registered elsewhere under another name only', 'unavailable', { registered: ['1003'] }],
  ])('given a phone unavailable here and %s, then it is %s', (_what, state, other) => {
    const devices = new DeviceStates();
    devices.set('1002', 'unavailable');
    const avail = on(fakeBus(other).bus, devices).availability();
    expect(avail.device?.('1002')).toBe(state);
    expect(checkUser(config, 'bob', avail, { skipBusy: false }).ok).toBe(state !== 'unavailable');
  });

  it('given a phone idle here, then another node that lacks it does not make it unavailable', () => {
    const devices = new DeviceStates();
    devices.set('1002', 'idle');
    expect(on(fakeBus({}).bus, devices).availability().device?.('1002')).toBe('idle');
  });

  it('given the PBX reports registrations and calls, then the node publishes which phones are registered and which in use, once per change', async () => {
    const devices = new DeviceStates();
    const { bus, published } = fakeBus();
    on(bus, devices);
    devices.seed([['1001', 'idle'], ['1002', 'unavailable'], ['1003', 'in-use'], ['1005', 'unknown']]);
    expect(published.at(-1)).toEqual({ users: [], inUse: ['1003'], registered: ['1001', '1003'] });
    const n = published.length;
    devices.set('1001', 'ringing'); // still registered, not in use: nothing new to say
    expect(published.length).toBe(n);
    devices.set('1002', 'idle');
    expect(published.at(-1)).toEqual({ users: [], inUse: ['1003'], registered: ['1001', '1002', '1003'] });
    devices.set('1003', 'unavailable');
    expect(published.at(-1)).toEqual({ users: [], inUse: [], registered: ['1001', '1002'] });
  });
});
