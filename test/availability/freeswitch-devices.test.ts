/**
 * Device state from FreeSWITCH (spec section 6): registrations and channels seen on the inbound ESL
 * connection, seeded from `show registrations` / `show channels`, with the header names the real
 * FreeSWITCH 1.10.12 sends (test/fixtures/freeswitch-real/devices-inbound.jsonl).
 */
import { describe, expect, it } from 'vitest';
import { FsDeviceWatcher } from '../../src/backend/freeswitch/devices.js';
import { configSchema } from '../../src/config/schema.js';
import { DeviceStates } from '../../src/runtime/presence.js';
import type { EslEvent } from '../../src/esl/protocol.js';

const quiet = { warn: () => undefined, info: () => undefined, debug: () => undefined };
const config = (template = 'user/{endpoint}') =>
  configSchema.parse({
    company: { name: 'Acme', phone: '+12025550100' },
    users: [
      { id: 'alice', name: 'Alice', extension: '1001', app: 'alice-app' },
      { id: 'bob', name: 'Bob', extension: '1002' },
    ],
    numbers: [{ number: '+12025550200', user: 'alice' }],
    endpoints: { freeswitch: template },
  });

const REGS = JSON.stringify({
  row_count: 1,
  rows: [{ reg_user: '1001', realm: '127.0.0.1', token: 't', url: 'sofia/internal/sip:1001@127.0.0.1:44081', expires: '1', network_ip: '127.0.0.1', network_port: '44081', network_proto: 'udp', hostname: 'vm', metadata: '' }],
});
const ev = (name: string, headers: Record<string, string>): EslEvent => ({ name, headers: { 'Event-Name': name, ...headers }, body: '' });
// One phone per user: its Call-ID is the `token` of its `show registrations` row.
const reg = (sub: string, user: string) => ev('CUSTOM', { 'Event-Subclass': sub, 'profile-name': 'internal', 'from-user': user, username: user, 'call-id': 't' });
const leg = (name: string, uuid: string, extra: Record<string, string> = {}) =>
  ev(name, { 'Unique-ID': uuid, 'Channel-Name': 'sofia/internal/1001@127.0.0.1:44081', 'Call-Direction': 'outbound', 'Channel-Presence-ID': '1001@127.0.0.1', ...extra });

function setup(replies: Record<string, string | (() => Promise<string>)> = {}, template?: string) {
  const states = new DeviceStates();
  const api = async (cmd: string) => {
    const r = replies[cmd] ?? '{"row_count": 0}\n';
    return typeof r === 'function' ? r() : r;
  };
  const w = new FsDeviceWatcher({ api }, config(template), quiet);
  w.watch(states);
  return { w, states };
}

describe('device state from FreeSWITCH', () => {
  it('given show registrations at connect, then a registered phone is idle and every other configured endpoint unavailable', async () => {
    const { w, states } = setup({ 'show registrations as json': REGS });
    await w.connected();
    expect([states.get('1001'), states.get('1002'), states.get('alice-app')]).toEqual(['idle', 'unavailable', 'unavailable']);
  });

  it('given sofia::register, sofia::unregister and sofia::expire, then the phone follows (from-user; user on expire)', async () => {
    const { w, states } = setup();
    await w.connected();
    expect(w.onEvent(reg('sofia::register', '1002'))).toBe(true);
    expect(states.get('1002')).toBe('idle');
    w.onEvent(reg('sofia::unregister', '1002'));
    expect(states.get('1002')).toBe('unavailable');
    w.onEvent(reg('sofia::register', '1002'));
    w.onEvent(ev('CUSTOM', { 'Event-Subclass': 'sofia::expire', user: '1002', username: '1002', 'profile-name': 'internal', 'call-id': 't' }));
    expect(states.get('1002')).toBe('unavailable');
    // Other CUSTOM events and users not in the config change nothing.
    expect(w.onEvent(ev('CUSTOM', { 'Event-Subclass': 'conference::maintenance' }))).toBe(false);
    w.onEvent(reg('sofia::register', '4711'));
    expect(states.get('4711')).toBe('unknown');
  });

  it('given a leg to the phone, then it rings, is in use once answered, and idle when it is over (calls Switchboard never placed too)', async () => {
    const { w, states } = setup({ 'show registrations as json': REGS });
    await w.connected();
    w.onEvent(leg('CHANNEL_CREATE', 'u1', { variable_dialed_user: '1001' }));
    expect(states.get('1001')).toBe('ringing');
    w.onEvent(leg('CHANNEL_ANSWER', 'u1', { variable_dialed_user: '1001' }));
    expect(states.get('1001')).toBe('in-use');
    w.onEvent(leg('CHANNEL_HANGUP_COMPLETE', 'u1'));
    expect(states.get('1001')).toBe('idle');
  });

  it('given a call the phone places (inbound sofia leg on the profile it registered on), then it is in use at once', async () => {
    const { w, states } = setup({ 'show registrations as json': REGS });
    await w.connected();
    w.onEvent(leg('CHANNEL_CREATE', 'u2', { 'Call-Direction': 'inbound' }));
    expect(states.get('1001')).toBe('in-use');
    // The carrier's leg on another profile is nobody's phone, even with a matching presence ID.
    w.onEvent(ev('CHANNEL_CREATE', { 'Unique-ID': 'u3', 'Channel-Name': 'sofia/carrier/1002@127.0.0.1', 'Call-Direction': 'inbound', 'Channel-Presence-ID': '1002@127.0.0.1' }));
    expect(states.get('1002')).toBe('unavailable');
  });

  it('given show channels at connect, then a phone on a call is in use, and a channel whose hangup was already seen stays gone', async () => {
    const chans = JSON.stringify({ row_count: 2, rows: [
      { uuid: 'c1', direction: 'outbound', name: 'sofia/internal/1001@127.0.0.1:44081', presence_id: '1001@127.0.0.1', callstate: 'ACTIVE' },
      { uuid: 'c2', direction: 'outbound', name: 'sofia/internal/1001@127.0.0.1:44081', presence_id: '1001@127.0.0.1', callstate: 'ACTIVE' },
    ] });
    const { w, states } = setup({ 'show registrations as json': REGS, 'show channels as json': chans });
    await w.connected();
    expect(states.get('1001')).toBe('in-use');
    w.onEvent(leg('CHANNEL_HANGUP_COMPLETE', 'c1'));
    w.onEvent(leg('CHANNEL_HANGUP_COMPLETE', 'c2'));
    expect(states.get('1001')).toBe('idle');
    await w.connected(); // the same snapshot again (the switch had not destroyed them yet)
    expect(states.get('1001')).toBe('idle');
  });

  it('given an event that arrives while the seed is in flight, then the seed does not undo it', async () => {
    let w!: FsDeviceWatcher;
    const { w: watcher, states } = setup({
      'show registrations as json': async () => {
        // The reply is the snapshot from before the phone unregistered; the event is handled first.
        queueMicrotask(() => w.onEvent(reg('sofia::unregister', '1001')));
        return REGS;
      },
    });
    w = watcher;
    await w.connected();
    expect(states.get('1001')).toBe('unavailable');
  });

  it('given a seed that fails, then the states stay as they were; given a template other than user/{endpoint}, then every device is unknown', async () => {
    const bad = setup({ 'show registrations as json': '-ERR no reply\n' });
    bad.states.set('1001', 'idle');
    await bad.w.connected();
    expect(bad.states.get('1001')).toBe('idle');

    const loop = setup({ 'show registrations as json': REGS }, 'loopback/{endpoint}/phones');
    await loop.w.connected();
    loop.w.onEvent(reg('sofia::unregister', '1001'));
    expect(loop.states.get('1001')).toBe('unknown');
    expect([...loop.states.counts()]).toEqual([]);
  });

  it('given a reload to a template FreeSWITCH cannot report on, then every known state becomes unknown', async () => {
    const { w, states } = setup({ 'show registrations as json': REGS });
    await w.connected();
    w.update(config('loopback/{endpoint}/phones'));
    expect(states.get('1001')).toBe('unknown');
    expect(states.get('1002')).toBe('unknown');
  });
});
