/**
 * Several registrations of one user on a real FreeSWITCH, with real SIP phones (SIPp, digest
 * REGISTER): the same user on two Contacts, each phone with its own Call-ID (spec section 6: a
 * device is unavailable when it is not registered). What FreeSWITCH keeps depends on the sofia
 * profile's `multiple-registrations` (sofia_reg.c, sofia_reg_handle_register_token): on, each
 * Call-ID is its own registration and an un-REGISTER ends only its own; off (vanilla), the second
 * REGISTER replaces the first and an un-REGISTER ends every registration of the user.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/schema.js';
import { waitFor } from '../../support/wait.js';
import { describePbx } from '../support/locate.js';
import { locateFreeswitch, type FreeswitchInstall } from './locate.js';
import { RealFreeswitchHarness } from './harness.js';
import { freePort } from './instance.js';
import { Sipp, carrierProfile } from './sipp.js';

const found = locateFreeswitch();

const CONFIG: ConfigInput = {
  company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
  users: [{ id: 'alice', name: 'Alice', extension: '1001' }],
  numbers: [{ number: '+12025550501', user: 'alice', forwardToCompany: false, unanswered: 'hangup', ringSeconds: 3 }],
};
const DESK_A = 'desk-a-1001@127.0.0.1';
const DESK_B = 'desk-b-1001@127.0.0.1';

for (const multiple of [true, false]) {
  describePbx(`several registrations of one user on a real FreeSWITCH (multiple-registrations ${multiple ? 'on' : 'off'})`, found, () => {
    let h: RealFreeswitchHarness;
    let sipp: Sipp;
    let carrierPort: number;
    let portA: number;
    let portB: number;
    const state = () => h.controller.devices.get('1001');
    const regRows = async () => (JSON.parse(await h.carrier.api('show registrations as json')) as { rows?: { reg_user: string; token: string }[] }).rows ?? [];

    beforeAll(async () => {
      carrierPort = await freePort();
      h = new RealFreeswitchHarness(found as FreeswitchInstall, { phones: 'sip', multipleRegistrations: multiple, extraFiles: { 'sip_profiles/carrier.xml': carrierProfile(carrierPort) } });
      await h.start(CONFIG);
      await waitFor(async () => /carrier\s+profile\s.*RUNNING/.test(await h.carrier.api('sofia status')), 10_000, 'carrier profile running');
      sipp = new Sipp(path.join(h.fs.dir, 'sipp'));
      portA = await freePort();
      portB = await freePort();
    });
    afterAll(async () => {
      sipp?.stop();
      await h?.stop();
    });

    it(
      multiple
        ? 'given one user registered from two phones, when one unregisters, then she stays registered and the other phone answers; when both have, she is unavailable'
        : 'given one user registered from two phones on a profile without multiple-registrations, when one unregisters, then FreeSWITCH has none left and neither has the controller',
      async () => {
        await sipp.phone('1001', h.fs.userPassword, portA, h.fs.sipPort, 'answer', DESK_A);
        await sipp.phone('1001', h.fs.userPassword, portB, h.fs.sipPort, 'answer', DESK_B);
        await waitFor(() => state() === 'idle', 5000, '1001 idle in the controller');
        // What FreeSWITCH itself keeps: both Call-IDs, or only the last one (its core table is
        // written through a queue, after the 200 OK: awaited).
        const tokens = async () => (await regRows()).map((r) => r.token).sort().join(' ');
        await waitFor(async () => (await tokens()) === (multiple ? `${DESK_A} ${DESK_B}` : DESK_B), 5000, 'show registrations listing what FreeSWITCH kept');

        await sipp.reRegister('1001', h.fs.userPassword, portA, h.fs.sipPort, 0, DESK_A);
        if (!multiple) {
          await waitFor(() => state() === 'unavailable', 5000, '1001 unavailable once FreeSWITCH ended every registration');
          expect(await h.carrier.api('sofia_contact 1001@127.0.0.1')).toMatch(/^error\/user_not_registered/);
          return;
        }
        await waitFor(() => h.view.events.some((e) => e.headers['Event-Subclass'] === 'sofia::unregister' && e.headers['call-id'] === DESK_A), 5000, 'the un-REGISTER seen');
        await waitFor(async () => (await tokens()) === DESK_B, 5000, 'only phone B left in show registrations');
        // What the controller asks when one of several registrations ends (the simulator answers alike).
        expect((await h.carrier.api('sofia_contact 1001@127.0.0.1')).trim()).toBe(`sofia/internal/sip:1001@127.0.0.1:${portB}`);
        // The controller did not pass her over: phone B rings and answers.
        const before = h.view.sockets.length;
        await sipp.call('+12025550501', carrierPort, await freePort(), 1000);
        const sock = h.view.sockets.slice(before).find((s) => s.to === '+12025550501');
        expect(sock).toBeDefined();
        const r = await h.waitForRecord({ callId: sock!.uuid });
        expect(r.passedOver).toEqual([]);
        expect(r.answeredBy).toEqual({ user: 'alice', device: 'desk' });
        expect(state()).not.toBe('unavailable');

        await sipp.reRegister('1001', h.fs.userPassword, portB, h.fs.sipPort, 0, DESK_B);
        await waitFor(() => state() === 'unavailable', 5000, '1001 unavailable once both phones unregistered');
      },
    );
  });
}
