/**
 * The controller's availability memory: the groups' answer history survives a restart (section 10:
 * least-recent and fewest-calls "across a restart"), calls lost by a dead controller are closed,
 * and who is bridged counts for skipBusy. Device states from the PBX, mapped from Asterisk's words.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AriDeviceWatcher, deviceStateOf, deviceTech } from '../../src/backend/asterisk/devices.js';
import { configSchema } from '../../src/config/schema.js';
import { historyOrder } from '../../src/routing/history-order.js';
import { DeviceStates, Presence } from '../../src/runtime/presence.js';
import { Store } from '../../src/store/index.js';

let dir: string;
const quiet = { warn: () => undefined, error: () => undefined, info: () => undefined, debug: () => undefined };
const GROUP = { id: 'g', strategy: 'least-recent' as const, members: ['alice', 'bob', 'carol'], skipBusy: false, wrapUpSeconds: 0 };

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'switchboard-presence-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function presenceOn(file: string, clock: { t: number }): Promise<{ store: Store; presence: Presence }> {
  const store = await Store.open(file);
  const presence = new Presence({ answers: store.groupAnswers, dnd: () => new Set(), devices: new DeviceStates(), log: quiet, now: () => clock.t });
  await presence.start();
  return { store, presence };
}

describe('Presence', () => {
  it('given answered calls from a group, when the controller restarts, then least-recent and fewest-calls see the same history', async () => {
    const file = path.join(dir, 'sb.db');
    const clock = { t: Date.parse('2026-12-01T09:00:00Z') };
    const first = await presenceOn(file, clock);
    first.presence.answered('c1', 'alice', 'g');
    clock.t += 60_000;
    first.presence.ended('c1');
    first.presence.answered('c2', 'bob', 'g');
    clock.t += 60_000;
    first.presence.ended('c2');
    expect(first.presence.bridged.has('bob')).toBe(false);
    const before = historyOrder(GROUP, first.presence.availability()).order;
    expect(before).toEqual(['carol', 'alice', 'bob']);
    await first.store.close();

    const second = await presenceOn(file, clock);
    try {
      const avail = second.presence.availability();
      expect(historyOrder(GROUP, avail).order).toEqual(before);
      expect(historyOrder({ ...GROUP, strategy: 'fewest-calls' }, avail).order).toEqual(['carol', 'alice', 'bob']);
      expect(avail.history?.get('g')?.get('alice')).toEqual({ lastEnded: Date.parse('2026-12-01T09:01:00Z'), inProgress: false, answered: [Date.parse('2026-12-01T09:00:00Z')] });
    } finally {
      await second.store.close();
    }
  });

  it('given a call in progress, then its member is bridged and counts as most recent; a restart that lost the call closes it', async () => {
    const file = path.join(dir, 'sb.db');
    const clock = { t: Date.parse('2026-12-01T09:00:00Z') };
    const first = await presenceOn(file, clock);
    first.presence.answered('old', 'carol', 'g');
    clock.t += 1000;
    first.presence.ended('old');
    first.presence.answered('live', 'alice', 'g');
    expect(first.presence.bridged.has('alice')).toBe(true);
    expect(historyOrder(GROUP, first.presence.availability()).order).toEqual(['bob', 'carol', 'alice']);
    await first.store.groupAnswers.ended('never', 0); // the write queue is drained before close
    await first.store.close();

    clock.t += 5000;
    const second = await presenceOn(file, clock); // the process died: call "live" is tracked by nobody
    try {
      const h = second.presence.availability().history?.get('g')?.get('alice');
      expect(h).toMatchObject({ inProgress: false, lastEnded: clock.t });
      expect(second.presence.bridged.has('alice')).toBe(false);
    } finally {
      await second.store.close();
    }
  });
});

describe('device state from Asterisk', () => {
  it.each([
    ['NOT_INUSE', 'idle'], ['INUSE', 'in-use'], ['BUSY', 'in-use'], ['ONHOLD', 'in-use'], ['RINGINUSE', 'in-use'],
    ['RINGING', 'ringing'], ['UNAVAILABLE', 'unavailable'], ['INVALID', 'unavailable'], ['UNKNOWN', 'unknown'], ['nonsense', 'unknown'], [undefined, 'unknown'],
  ])('given %s, then %s', (asterisk, ours) => {
    expect(deviceStateOf(asterisk)).toBe(ours);
  });

  it('names a device only for a plain TECH/{endpoint} template', () => {
    expect(deviceTech('PJSIP/{endpoint}')).toBe('PJSIP');
    expect(deviceTech('Local/{endpoint}@phones')).toBeNull();
    expect(deviceTech('PJSIP/{endpoint}@edge')).toBeNull();
  });

  it('given a connect, then it subscribes every desk and app endpoint, seeds from /endpoints, and follows the events', async () => {
    const config = configSchema.parse({ users: [{ id: 'alice', name: 'A', extension: '1001', app: 'alice-app' }, { id: 'bob', name: 'B', extension: '1002', desk: 'desk-b' }] });
    const requests: [string, string, unknown][] = [];
    const rest = {
      request: async <T>(method: string, p: string, query: Record<string, unknown> = {}): Promise<T> => {
        requests.push([method, p, query]);
        if (p === '/endpoints/PJSIP') return [
          { technology: 'PJSIP', resource: '1001', state: 'online', channel_ids: [] },
          { technology: 'PJSIP', resource: 'alice-app', state: 'offline', channel_ids: [] },
          { technology: 'PJSIP', resource: 'desk-b', state: 'online', channel_ids: ['x'] },
          { technology: 'PJSIP', resource: 'carrier', state: 'online', channel_ids: [] },
        ] as T;
        return undefined as T;
      },
    };
    const states = new DeviceStates();
    const w = new AriDeviceWatcher(rest, 'switchboard', config, quiet);
    w.watch(states);
    await w.connected();
    expect(requests[0]).toEqual(['POST', '/applications/switchboard/subscription', { eventSource: 'deviceState:PJSIP/1001,endpoint:PJSIP/1001,deviceState:PJSIP/alice-app,endpoint:PJSIP/alice-app,deviceState:PJSIP/desk-b,endpoint:PJSIP/desk-b' }]);
    expect([states.get('1001'), states.get('alice-app'), states.get('desk-b'), states.get('carrier')]).toEqual(['idle', 'unavailable', 'in-use', 'unknown']);
    expect(w.onEvent({ type: 'DeviceStateChanged', device_state: { name: 'PJSIP/1001', state: 'RINGING' } })).toBe(true);
    expect(states.get('1001')).toBe('ringing');
    w.onEvent({ type: 'EndpointStateChange', endpoint: { technology: 'PJSIP', resource: 'alice-app', state: 'online', channel_ids: [] } });
    expect(states.get('alice-app')).toBe('idle');
    w.onEvent({ type: 'DeviceStateChanged', device_state: { name: 'PJSIP/9999', state: 'INUSE' } });
    expect(states.get('9999')).toBe('unknown');
    expect(w.onEvent({ type: 'ChannelStateChange' })).toBe(false);
  });
});
