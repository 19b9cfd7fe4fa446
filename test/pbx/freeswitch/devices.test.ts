/**
 * Device state on a real FreeSWITCH with real SIP phones (spec section 6): SIPp phones REGISTER
 * with digest auth on the internal profile; the controller reads registrations and channels on its
 * inbound ESL connection. An unregistered desk phone is never rung, a phone on a call Switchboard
 * never placed is passed over by skipBusy, a phone that registers again is rung again.
 * With SWITCHBOARD_RECORD_FIXTURES=1 the inbound events of the first test (phones register, take
 * a call placed directly, unregister, register again) are written to
 * test/fixtures/freeswitch-real/devices-inbound.jsonl; test/esl/devices-replay.test.ts replays
 * them against the simulator.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { EslEvent } from '../../../src/esl/protocol.js';
import { waitFor } from '../../support/wait.js';
import { describePbx } from '../support/locate.js';
import { locateFreeswitch, type FreeswitchInstall } from './locate.js';
import { RealFreeswitchHarness } from './harness.js';
import { freePort, REPO } from './instance.js';
import { Sipp, carrierProfile } from './sipp.js';
import { deviceRecord } from '../../support/device-record.js';

const found = locateFreeswitch();
const FOREIGN = 'f0f0f0f0-0000-4000-8000-000000000001';

const CONFIG: ConfigInput = {
  company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
  users: [
    { id: 'alice', name: 'Alice', extension: '1001', ring: ['desk'] },
    { id: 'bob', name: 'Bob', extension: '1002' },
    // carol's desk phone (1003) never registers; her softphone (1005) does.
    { id: 'carol', name: 'Carol', extension: '1003', app: '1005' },
    { id: 'dave', name: 'Dave', extension: '1004' },
  ],
  numbers: [
    { number: '+12025550401', user: 'carol', forwardToCompany: false, unanswered: 'hangup', ringSeconds: 3 },
    { number: '+12025550402', user: 'dave', forwardToCompany: false, unanswered: 'hangup', ringSeconds: 3 },
    { number: '+12025550403', distribution: 'busy' },
    { number: '+12025550404', user: 'bob', forwardToCompany: false, unanswered: 'hangup', ringSeconds: 3 },
  ],
  ringGroups: [{ id: 'desks', strategy: 'linear', members: ['alice', 'bob'], ringSeconds: 5, skipBusy: true }],
  distributions: [{ id: 'busy', steps: ['desks'], unanswered: 'hangup' }],
};

describePbx('device state on a real FreeSWITCH (registered SIPp phones)', found, () => {
  let h: RealFreeswitchHarness;
  let sipp: Sipp;
  let carrierPort: number;
  const ports = new Map<string, number>();
  let recorded: EslEvent[] = [];
  let regColumns: string[] = [];

  const call = async (number: string) => {
    const before = h.view.sockets.length;
    const exit = await sipp.call(number, carrierPort, await freePort(), 1500);
    const sock = h.view.sockets.slice(before).find((s) => s.to === number);
    expect(sock, `call to ${number} reached the controller (sipp exit ${exit})`).toBeDefined();
    return h.waitForRecord({ callId: sock!.uuid });
  };
  const state = (ep: string) => h.controller.devices.get(ep);

  beforeAll(async () => {
    carrierPort = await freePort();
    h = new RealFreeswitchHarness(found as FreeswitchInstall, { phones: 'sip', extraFiles: { 'sip_profiles/carrier.xml': carrierProfile(carrierPort) } });
    await h.start(CONFIG);
    await waitFor(async () => /carrier\s+profile\s.*RUNNING/.test(await h.carrier.api('sofia status')), 10_000, 'carrier profile running');
    sipp = new Sipp(path.join(h.fs.dir, 'sipp'));
    for (const ext of ['1001', '1002', '1005']) ports.set(ext, await freePort());
  });
  afterAll(async () => {
    sipp?.stop();
    if (h && process.env.SWITCHBOARD_RECORD_FIXTURES === '1' && recorded.length > 0) {
      const file = path.join(REPO, 'test/fixtures/freeswitch-real/devices-inbound.jsonl');
      fs.writeFileSync(file, recorded.map((e) => JSON.stringify(deviceRecord(e))).join('\n') + '\n');
      fs.writeFileSync(file.replace('-inbound.jsonl', '-show-registrations.json'), JSON.stringify({ columns: regColumns }) + '\n');
    }
    await h?.stop();
  });

  it('given phones that register, take a call placed directly, unregister and register again, then the controller follows each step', async () => {
    const from = h.view.events.length;
    for (const ext of ['1001', '1002', '1005']) await sipp.phone(ext, h.fs.userPassword, ports.get(ext)!, h.fs.sipPort, 'answer');
    await waitFor(() => ['1001', '1002', '1005'].every((ep) => state(ep) === 'idle'), 5000, 'three phones idle in the controller');
    expect(state('1003')).toBe('unavailable');
    expect(state('1004')).toBe('unavailable');
    const regs = JSON.parse(await h.carrier.api('show registrations as json')) as { row_count: number; rows: Record<string, string>[] };
    expect(regs.rows.map((r) => r.reg_user).sort()).toEqual(['1001', '1002', '1005']);
    regColumns = Object.keys(regs.rows[0]!);

    // A call Switchboard never placed: another ESL client rings alice's phone, which answers.
    expect(await h.carrier.api(`originate {origination_uuid=${FOREIGN}}user/1001 &park`)).toMatch(/^\+OK/);
    await waitFor(() => state('1001') === 'in-use', 5000, '1001 in use');
    await h.carrier.api(`uuid_kill ${FOREIGN}`);
    await waitFor(() => state('1001') === 'idle', 5000, '1001 idle again');

    await sipp.reRegister('1002', h.fs.userPassword, ports.get('1002')!, h.fs.sipPort, 0);
    await waitFor(() => state('1002') === 'unavailable', 5000, '1002 unregistered');
    await sipp.reRegister('1002', h.fs.userPassword, ports.get('1002')!, h.fs.sipPort, 3600);
    await waitFor(() => state('1002') === 'idle', 5000, '1002 registered again');
    // The test's own ESL connection may see the last event after the controller's did.
    const last = () => h.view.events.slice(from).filter(isDeviceEvent).at(-1)?.headers;
    await waitFor(() => last()?.['Event-Subclass'] === 'sofia::register' && last()?.['from-user'] === '1002', 5000, 'the recording complete');
    recorded = h.view.events.slice(from).filter(isDeviceEvent);
  });

  it('given a desk phone that is not registered, then it is never rung: a skipped leg beside her softphone, and a user with no other device is passed over', async () => {
    const before = h.view.bridges.length;
    const r1 = await call('+12025550401');
    expect(r1.legs.map((l) => [l.device, l.result, l.cause])).toEqual([
      ['desk', 'skipped', null],
      ['app', 'answered', null],
    ]);
    const r2 = await call('+12025550402');
    expect(r2.passedOver).toEqual([{ user: 'dave', step: 'number-user', reason: 'not registered' }]);
    expect(r2.legs).toEqual([]);
    expect(h.view.bridges.slice(before).join(' ')).not.toMatch(/user\/100[34]\b/);
    await waitFor(() => h.live().channels === 0, 8000, 'no channel left');
  });

  it('given alice on a call Switchboard never placed, then the skipBusy group passes her over and rings bob at once', async () => {
    expect(await h.carrier.api(`originate {origination_uuid=${FOREIGN}}user/1001 &park`)).toMatch(/^\+OK/);
    try {
      await waitFor(() => state('1001') === 'in-use', 5000, '1001 in use');
      const r = await call('+12025550403');
      expect(r.passedOver).toEqual([{ user: 'alice', step: 'desks', reason: 'on a call' }]);
      expect(r.legs.map((l) => [l.user, l.result])).toEqual([['bob', 'answered']]);
      expect(r.ringSeconds!).toBeLessThan(2);
    } finally {
      await h.carrier.api(`uuid_kill ${FOREIGN}`);
    }
    await waitFor(() => state('1001') === 'idle', 5000, '1001 idle again');
    await waitFor(() => h.live().channels === 0, 8000, 'no channel left');
  });

  it('given bob unregisters, then he is passed over; given he registers again, then his phone rings and answers', async () => {
    await sipp.reRegister('1002', h.fs.userPassword, ports.get('1002')!, h.fs.sipPort, 0);
    await waitFor(() => state('1002') === 'unavailable', 5000, '1002 unregistered');
    const r1 = await call('+12025550404');
    expect(r1.passedOver).toEqual([{ user: 'bob', step: 'number-user', reason: 'not registered' }]);
    expect(r1.legs).toEqual([]);
    await sipp.reRegister('1002', h.fs.userPassword, ports.get('1002')!, h.fs.sipPort, 3600);
    await waitFor(() => state('1002') === 'idle', 5000, '1002 registered again');
    const r2 = await call('+12025550404');
    expect(r2.passedOver).toEqual([]);
    expect(r2.legs.map((l) => [l.device, l.result])).toEqual([['desk', 'answered']]);
    await waitFor(() => h.live().channels === 0, 8000, 'no channel left');
  });
});

/** What the controller's device watcher reads: the registration events and the phones' channels. */
function isDeviceEvent(e: EslEvent): boolean {
  if (e.name === 'CUSTOM') return /^sofia::(register|unregister|expire)$/.test(e.headers['Event-Subclass'] ?? '');
  return ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE'].includes(e.name) && (e.headers['Channel-Name'] ?? '').startsWith('sofia/internal/');
}
