/**
 * Several registrations of one FreeSWITCH user (spec section 6: a device is unavailable when it is
 * not registered): a desk phone registered twice, or one user on two Contacts. Each registration
 * is its Call-ID; when one ends and others are known, the watcher asks FreeSWITCH (`sofia_contact`)
 * whether the user can still be dialled, since that depends on the profile's
 * `multiple-registrations` (off: one un-REGISTER ends them all).
 */
import { describe, expect, it } from 'vitest';
import { FsDeviceWatcher } from '../../src/backend/freeswitch/devices.js';
import { configSchema } from '../../src/config/schema.js';
import { DeviceStates } from '../../src/runtime/presence.js';
import type { EslEvent } from '../../src/esl/protocol.js';
import { waitFor } from '../support/wait.js';
import { FreeswitchHarness } from '../scenarios/freeswitch-harness.js';

const quiet = { warn: () => undefined, info: () => undefined, debug: () => undefined };
const config = configSchema.parse({
  company: { name: 'Acme', phone: '+12025550100' },
  users: [{ id: 'alice', name: 'Alice', extension: '1001' }],
  numbers: [{ number: '+12025550200', user: 'alice' }],
  endpoints: { freeswitch: 'user/{endpoint}' },
});
const ev = (headers: Record<string, string>): EslEvent => ({ name: 'CUSTOM', headers: { 'Event-Name': 'CUSTOM', ...headers }, body: '' });
const reg = (sub: string, callId: string) => ev({ 'Event-Subclass': sub, 'profile-name': 'internal', 'from-user': '1001', 'from-host': '127.0.0.1', username: '1001', 'call-id': callId });
const expire = (callId: string) => ev({ 'Event-Subclass': 'sofia::expire', 'profile-name': 'internal', user: '1001', host: '127.0.0.1', 'call-id': callId });

function setup(contact: () => string) {
  const states = new DeviceStates();
  const asked: string[] = [];
  let release: (() => void) | null = null;
  let hold = false;
  const api = async (cmd: string) => {
    asked.push(cmd);
    if (hold) await new Promise<void>((r) => (release = r));
    return cmd.startsWith('sofia_contact') ? contact() : '{"row_count": 0}\n';
  };
  const w = new FsDeviceWatcher({ api }, config, quiet);
  w.watch(states);
  return { w, states, asked, holdReplies: () => (hold = true), releaseReply: () => release?.() };
}

describe('several FreeSWITCH registrations of one user', () => {
  it('given two registrations (two Call-IDs), when one ends and FreeSWITCH still has a contact, then she stays registered; when the other ends, she is unavailable at once', async () => {
    let contacts = 'sofia/internal/sip:1001@127.0.0.1:5062';
    const { w, states, asked } = setup(() => contacts);
    await w.connected();
    w.onEvent(reg('sofia::register', 'desk-a'));
    w.onEvent(reg('sofia::register', 'desk-b'));
    expect(states.get('1001')).toBe('idle');
    w.onEvent(reg('sofia::unregister', 'desk-a'));
    expect(states.get('1001')).toBe('idle');
    await waitFor(() => asked.includes('sofia_contact 1001@127.0.0.1'), 1000, 'the watcher asking FreeSWITCH');
    expect(states.get('1001')).toBe('idle');
    contacts = 'error/user_not_registered';
    // The last one known: no question, unavailable now.
    const before = asked.length;
    w.onEvent(expire('desk-b'));
    expect(states.get('1001')).toBe('unavailable');
    expect(asked.length).toBe(before);
  });

  it('given a profile without multiple-registrations (one un-REGISTER ends every row), when one of two ends, then FreeSWITCH says not registered and she is unavailable', async () => {
    const { w, states } = setup(() => 'error/user_not_registered');
    await w.connected();
    w.onEvent(reg('sofia::register', 'desk-a'));
    w.onEvent(reg('sofia::register', 'desk-b'));
    w.onEvent(reg('sofia::unregister', 'desk-a'));
    await waitFor(() => states.get('1001') === 'unavailable', 1000, '1001 unavailable');
  });

  it('given the answer to the question comes after she registered again, then it is ignored', async () => {
    const { w, states, holdReplies, releaseReply, asked } = setup(() => 'error/user_not_registered');
    await w.connected();
    w.onEvent(reg('sofia::register', 'desk-a'));
    w.onEvent(reg('sofia::register', 'desk-b'));
    holdReplies();
    w.onEvent(reg('sofia::unregister', 'desk-a'));
    await waitFor(() => asked.some((c) => c.startsWith('sofia_contact')), 1000, 'the question');
    w.onEvent(reg('sofia::register', 'desk-a'));
    releaseReply();
    await new Promise((r) => setImmediate(r));
    expect(states.get('1001')).toBe('idle');
  });
});

describe('several registrations of one user, end to end on the ESL simulator', () => {
  for (const multiple of [true, false]) {
    it(`given alice's phone registered twice${multiple ? '' : ' on a profile without multiple-registrations'}, when one registration ends, then ${multiple ? 'she is still rung; when both have, she is unavailable' : 'she is unavailable (FreeSWITCH ended both)'}`, async () => {
      const h = new FreeswitchHarness(1500, { multipleRegistrations: multiple });
      await h.start({
        company: { name: 'Acme', phone: '+12025550100' },
        users: [{ id: 'alice', name: 'Alice', extension: '1001' }],
        numbers: [{ number: '+12025550200', user: 'alice', forwardToCompany: false, unanswered: 'hangup', ringSeconds: 3 }],
      });
      try {
        const state = () => h.controller.devices.get('1001');
        await waitFor(() => state() === 'idle', 3000, '1001 idle after the seed');
        h.sim.setRegistered('1001', true, 1); // a second Contact, its own Call-ID
        h.sim.setRegistered('1001', false, 1);
        if (!multiple) {
          await waitFor(() => state() === 'unavailable', 3000, '1001 unavailable');
          return;
        }
        // No event can say "still registered": the check is a reply away; the call shows it.
        h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 20 });
        const call = await h.placeCall({ from: '+12025550999', to: '+12025550200' });
        await h.waitForAnswer(call);
        await h.hangupCaller(call);
        const r = await h.waitForRecord(call);
        expect(r.passedOver).toEqual([]);
        expect(r.answeredBy).toEqual({ user: 'alice', device: 'desk' });
        expect(state()).toBe('idle'); // the check's reply (a contact left) came long before now
        h.sim.setRegistered('1001', false, 0);
        await waitFor(() => state() === 'unavailable', 3000, '1001 unavailable once both ended');
      } finally {
        await h.stop();
      }
    });
  }
});
