/**
 * The presence message between nodes (section 10): a state over NOTIFY's 8000-byte limit is split
 * into parts that each fit, and a listener applies it only once every part has arrived.
 */
import { describe, expect, it } from 'vitest';
import { encodePresence, MAX_PARTS, NOTIFY_PAYLOAD_MAX, PresenceAssembler } from '../../src/store/postgres/presence-wire.js';

const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);

describe('presence on the wire', () => {
  it('given a small state, then one payload carries it and the listener applies it at once', () => {
    const { payloads, left } = encodePresence('ast1', 1, { users: ['bob', 'alice'], inUse: ['1003'], registered: ['1001', '1003'] });
    expect(left).toEqual([]);
    expect(payloads).toHaveLength(1);
    expect(JSON.parse(payloads[0]!)).toEqual({ node: 'ast1', seq: 1, part: 0, of: 1, users: ['alice', 'bob'], inUse: ['1003'], reg: ['1001'] });
    const got = new PresenceAssembler('ast2').feed(payloads[0]!);
    expect(got).toEqual({ node: 'ast1', state: { users: new Set(['alice', 'bob']), inUse: new Set(['1003']), registered: new Set(['1001', '1003']) } });
  });

  it('given 2,000 users and 3,000 endpoints (well over 8000 bytes), then every payload is under the limit and the listener gets the whole state from the last part', () => {
    const users = many('user', 2000);
    const inUse = many('phone', 500);
    const registered = [...inUse, ...many('desk', 2500)];
    const { payloads, left } = encodePresence('ast1', 7, { users, inUse, registered });
    expect(left).toEqual([]);
    expect(payloads.length).toBeGreaterThan(5);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(NOTIFY_PAYLOAD_MAX);
    const listener = new PresenceAssembler('ast2');
    // Parts in any order: nothing applies until the last one.
    const shuffled = [...payloads].reverse();
    for (const p of shuffled.slice(0, -1)) expect(listener.feed(p)).toBeNull();
    const got = listener.feed(shuffled.at(-1)!);
    expect(got?.node).toBe('ast1');
    expect([...got!.state.users].sort()).toEqual(users);
    expect([...got!.state.inUse].sort()).toEqual(inUse);
    expect([...got!.state.registered].sort()).toEqual([...registered].sort());
  });

  it('given a newer state starting before an older one completed, then the older is dropped, never half-applied', () => {
    const big = { users: many('user', 1500), inUse: [], registered: [] };
    const older = encodePresence('ast1', 1, big).payloads;
    const newer = encodePresence('ast1', 2, { users: ['alice'], inUse: [], registered: [] }).payloads;
    const listener = new PresenceAssembler('ast2');
    expect(listener.feed(older[0]!)).toBeNull();
    expect(listener.feed(newer[0]!)?.state.users).toEqual(new Set(['alice']));
    for (const p of older.slice(1)) expect(listener.feed(p)).toBeNull(); // part 0 of seq 1 is gone
  });

  it('given a name too long for any payload, then it is left out and named, and the rest is sent', () => {
    const huge = 'x'.repeat(9000);
    const { payloads, left } = encodePresence('ast1', 1, { users: ['alice', huge], inUse: [], registered: [] });
    expect(left).toEqual([huge]);
    expect(JSON.parse(payloads[0]!).users).toEqual(['alice']);
  });

  it('given multi-byte names, then the limit is counted in bytes', () => {
    const users = many('Zoë-日本語', 1200);
    const { payloads } = encodePresence('ast1', 1, { users, inUse: [], registered: [] });
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(NOTIFY_PAYLOAD_MAX);
    const listener = new PresenceAssembler('ast2');
    const got = payloads.map((p) => listener.feed(p)).at(-1);
    expect(got?.state.users.size).toBe(1200);
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '"x"'],
    ['no node', JSON.stringify({ users: [] })],
    ['its own node', JSON.stringify({ node: 'ast2', users: ['a'] })],
    ['a part past its count', JSON.stringify({ node: 'ast1', seq: 1, part: 2, of: 2, users: [] })],
    ['too many parts', JSON.stringify({ node: 'ast1', seq: 1, part: 0, of: MAX_PARTS + 1, users: [] })],
    ['a seq that is no number', JSON.stringify({ node: 'ast1', seq: 'x', part: 0, of: 1, users: [] })],
  ])('given %s, then the payload is ignored', (_what, payload) => {
    expect(new PresenceAssembler('ast2').feed(payload)).toBeNull();
  });

  it('given the form without parts (one whole state, no seq), then it is applied', () => {
    const got = new PresenceAssembler('ast2').feed(JSON.stringify({ node: 'ast1', users: ['bob', 7], inUse: ['1002'] }));
    expect(got?.state).toEqual({ users: new Set(['bob']), inUse: new Set(['1002']), registered: new Set(['1002']) });
  });
});
