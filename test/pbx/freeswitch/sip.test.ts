/**
 * Real SIP on a real FreeSWITCH: a SIPp carrier sends INVITEs into a no-auth sofia profile whose
 * context runs the shipped dialplan; SIPp desk phones REGISTER on the internal profile with digest
 * authentication and answer, are busy (486), decline (603), never answer, or are not registered.
 * With SWITCHBOARD_RECORD_FIXTURES=1 what FreeSWITCH sent (controlled legs through the tap, the
 * inbound ESL view with the registrations) is written to test/fixtures/freeswitch-real/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/schema.js';
import { waitFor } from '../../support/wait.js';
import { describePbx } from '../support/locate.js';
import { locateFreeswitch, type FreeswitchInstall } from './locate.js';
import { RealFreeswitchHarness } from './harness.js';
import { freePort, REPO } from './instance.js';
import { Sipp, carrierProfile, type PhoneMode } from './sipp.js';

const found = locateFreeswitch();

const PHONES: { ext: string; mode: PhoneMode | 'unregistered'; number: string }[] = [
  { ext: '1001', mode: 'answer', number: '+12025550301' },
  { ext: '1002', mode: 'busy', number: '+12025550302' },
  { ext: '1003', mode: 'decline', number: '+12025550303' },
  { ext: '1005', mode: 'noanswer', number: '+12025550305' },
  { ext: '1004', mode: 'unregistered', number: '+12025550304' },
];

const CONFIG: ConfigInput = {
  company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
  users: PHONES.map((p) => ({ id: `u${p.ext}`, name: `User ${p.ext}`, extension: p.ext })),
  numbers: PHONES.map((p) => ({ number: p.number, user: `u${p.ext}`, forwardToCompany: false, ringSeconds: 2 })),
};

describePbx('real SIP on a real FreeSWITCH (SIPp carrier and registered SIPp phones)', found, () => {
  let h: RealFreeswitchHarness;
  let sipp: Sipp;
  let carrierPort: number;

  beforeAll(async () => {
    carrierPort = await freePort();
    h = new RealFreeswitchHarness(found as FreeswitchInstall, { phones: 'sip', tap: true, extraFiles: { 'sip_profiles/carrier.xml': carrierProfile(carrierPort) } });
    await h.start(CONFIG);
    await waitFor(async () => /carrier\s+profile\s.*RUNNING/.test(await h.carrier.api('sofia status')), 10_000, 'carrier profile running');
    sipp = new Sipp(path.join(h.fs.dir, 'sipp'));
    for (const p of PHONES) if (p.mode !== 'unregistered') await sipp.phone(p.ext, h.fs.userPassword, await freePort(), h.fs.sipPort, p.mode);
  });
  afterAll(async () => {
    sipp?.stop();
    if (h && process.env.SWITCHBOARD_RECORD_FIXTURES === '1') record(h);
    await h?.stop();
  });

  it('given four phones registering with digest auth, then FreeSWITCH reports each registration', async () => {
    await waitFor(() => ['1001', '1002', '1003', '1005'].every((u) => h.view.registered.includes(u)), 5000, 'four registrations');
    const regs = await h.carrier.api('sofia status profile internal reg');
    for (const u of ['1001', '1002', '1003', '1005']) expect(regs).toContain(`${u}@127.0.0.1`);
    expect(regs).not.toContain('1004@');
  });

  const cases: [string, string, { result: string; cause: number | null }, string][] = [
    ['answers', '+12025550301', { result: 'answered', cause: null }, 'answered'],
    ['is busy (486)', '+12025550302', { result: 'busy', cause: 17 }, 'voicemail'],
    ['declines (603)', '+12025550303', { result: 'rejected', cause: 21 }, 'voicemail'],
    ['never answers', '+12025550305', { result: 'no-answer', cause: null }, 'voicemail'],
  ];
  for (const [what, number, leg, outcome] of cases) {
    it(`given a SIP call for a phone that ${what}, then the call log says ${leg.result} and the call ends with no channel left`, async () => {
      const before = h.view.sockets.length;
      const exit = await sipp.call(number, carrierPort, await freePort(), 1500);
      expect(exit).toBe(0); // the carrier got its 200 (the phone, or voicemail) and its BYE was answered
      const sock = h.view.sockets.slice(before).find((s) => s.to === number);
      expect(sock).toBeDefined();
      const r = await h.waitForRecord({ callId: sock!.uuid });
      expect(r.outcome).toBe(outcome);
      expect(r.legs.map((l) => l.result)).toEqual([leg.result]);
      if (leg.cause !== null) expect(r.legs[0]!.cause).toBe(leg.cause);
      await waitFor(() => h.live().channels === 0, 8000, 'no channel left');
    });
  }

  it('given a SIP call for a phone that is not registered, then she is passed over (not registered), no leg is placed, and her mailbox takes the call', async () => {
    const before = h.view.sockets.length;
    const bridges = h.view.bridges.length;
    expect(await sipp.call('+12025550304', carrierPort, await freePort(), 1500)).toBe(0);
    const sock = h.view.sockets.slice(before).find((s) => s.to === '+12025550304');
    const r = await h.waitForRecord({ callId: sock!.uuid });
    expect(r.passedOver).toEqual([{ user: 'u1004', step: 'number-user', reason: 'not registered' }]);
    expect(r.legs).toEqual([]);
    expect(r.outcome).toBe('voicemail');
    expect(h.view.bridges.slice(bridges).join(' ')).not.toContain('1004');
    await waitFor(() => h.live().channels === 0, 8000, 'no channel left');
  });
});

/** Write what FreeSWITCH sent during this file as fixtures (one JSON object per line). */
function record(h: RealFreeswitchHarness): void {
  const dir = path.join(REPO, 'test/fixtures/freeswitch-real');
  fs.mkdirSync(dir, { recursive: true });
  const inbound = h.view.events.map((e) => ({ event: e.name, subclass: e.headers['Event-Subclass'], uuid: e.headers['Unique-ID'], app: e.headers.Application, cause: e.headers['Hangup-Cause'], username: e.headers.username }));
  fs.writeFileSync(path.join(dir, 'sip-inbound.jsonl'), inbound.map((r) => JSON.stringify(r)).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'sip-controlled.jsonl'), h.tap.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
