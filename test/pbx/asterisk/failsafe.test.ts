/**
 * The shipped dialplan proves itself on a real Asterisk: with no controller connected, Stasis()
 * fails (STASISSTATUS=FAILED) and [switchboard-failsafe] rings the company phone through the
 * trunk, then the company mailbox; and a voicemail call, from the fail-safe route or sent there
 * by the controller, leaves a message file whose duration is above zero.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { waitFor } from '../../support/wait.js';
import { AsteriskInstance } from './instance.js';
import { AriObserver } from './observer.js';
import { Sipp } from './sipp.js';
import { RealAsteriskHarness } from './harness.js';
import { SCENARIO_CONFIG } from '../../scenarios/suite.js';

const asterisk = locateAsterisk();

/** The message files of a mailbox: msgNNNN.txt with their `duration=` (seconds). */
export function messages(spool: string, mailbox: string): { file: string; duration: number }[] {
  const inbox = join(spool, 'voicemail/default', mailbox, 'INBOX');
  if (!existsSync(inbox)) return [];
  return readdirSync(inbox)
    .filter((f) => /^msg\d+\.txt$/.test(f))
    .map((f) => ({ file: join(inbox, f), duration: Number(/^duration=(\d+)/m.exec(readFileSync(join(inbox, f), 'utf8'))?.[1] ?? -1) }));
}

/** VoiceMail() is recording: its temporary file exists in the mailbox's tmp folder. */
export function recording(spool: string, mailbox: string): boolean {
  const tmp = join(spool, 'voicemail/default', mailbox, 'tmp');
  return existsSync(tmp) && readdirSync(tmp).length > 0;
}

/** The caller talks this long after the beep (minsecs = 3 in the shipped voicemail.conf). */
const TALK_MS = 4500;
const talk = () => new Promise((r) => setTimeout(r, TALK_MS));

/** Place an inbound Local call into [from-trunk]; the ;1 half talks (sim-caller,talk) once answered. */
async function inbound(inst: AsteriskInstance, to: string, from: string): Promise<{ callId: string; pstnId: string }> {
  const callId = `sb-call-${randomUUID()}`;
  const pstnId = `sb-pstn-${randomUUID()}`;
  const res = await inst.ari('POST', '/channels', {
    endpoint: `Local/${to}@from-trunk`, context: 'sim-caller', extension: 'talk', priority: 1,
    channelId: pstnId, otherChannelId: callId, timeout: 60, callerId: from,
  });
  expect(res.status).toBe(200);
  return { callId, pstnId };
}

describePbx('the shipped Asterisk dialplan on a real Asterisk: fail-safe and voicemail', asterisk, () => {
  if ('missing' in asterisk) return;
  let inst: AsteriskInstance;
  let obs: AriObserver;
  let sipp: Sipp;
  beforeAll(async () => {
    inst = await AsteriskInstance.start(asterisk);
    obs = await AriObserver.connect(inst);
    sipp = new Sipp(inst.dir, inst);
  });
  afterAll(async () => {
    await sipp?.stop();
    obs?.close();
    await inst?.stop();
  });

  const dialplanApps = (id: string) => obs.events.filter((e) => e.type === 'ChannelDialplan' && e.event.channel.id === id).map((e) => `${e.event.dialplan_app}(${e.event.dialplan_app_data})`);

  it('given no controller, then Stasis() fails and the company phone rings through the trunk and answers', async () => {
    const company = await sipp.phone('answer', 300, inst.layout.carrierPort);
    try {
      const call = await inbound(inst, '+12025550200', '+12025550999');
      await waitFor(() => obs.events.some((e) => e.type === 'Dial' && e.event.dialstatus === 'ANSWER' && e.event.caller?.id === call.callId), 10_000, 'company phone answered');
      expect(dialplanApps(call.callId)).toEqual(expect.arrayContaining(['Stasis(switchboard,+12025550200,callerpres=allowed_not_screened)', 'Dial(PJSIP/+12025550100@carrier,20)']));
      // Stasis() clears STASISSTATUS first, then sets its result.
      const statuses = obs.events.filter((e) => e.type === 'ChannelVarset' && e.event.channel?.id === call.callId && e.event.variable === 'STASISSTATUS');
      expect(statuses.at(-1)?.event.value).toBe('FAILED');
      expect((await inst.ari('DELETE', `/channels/${call.pstnId}`)).status).toBe(204);
      await waitFor(() => obs.channels.size === 0, 10_000, 'every channel gone');
    } finally {
      await company.stop();
    }
  });

  it('given no controller and the company phone busy, then the caller leaves a message in the company mailbox', async () => {
    const company = await sipp.phone('busy', 0, inst.layout.carrierPort);
    try {
      const before = messages(inst.spoolDir, '9000').length;
      const call = await inbound(inst, '+12025550200', '+12025550999');
      await waitFor(() => dialplanApps(call.callId).includes('VoiceMail(9000@default,u)'), 10_000, 'fail-safe voicemail');
      // The caller talks through the greeting and the beep, leaves a message, then hangs up.
      await waitFor(() => recording(inst.spoolDir, '9000'), 20_000, 'recording started');
      await talk();
      expect((await inst.ari('DELETE', `/channels/${call.pstnId}`)).status).toBe(204);
      const msgs = await waitFor(() => (messages(inst.spoolDir, '9000').length > before ? messages(inst.spoolDir, '9000') : null), 10_000, 'message file');
      expect(msgs.at(-1)!.duration).toBeGreaterThan(0);
    } finally {
      await company.stop();
    }
  });
});

describePbx('voicemail sent by the controller on a real Asterisk', asterisk, () => {
  if ('missing' in asterisk) return;
  const h = new RealAsteriskHarness(asterisk);
  beforeAll(async () => h.start(SCENARIO_CONFIG));
  afterAll(async () => h.stop());

  it('given every phone busy, then the caller goes to the user mailbox and a message file with a duration is left', async () => {
    h.setDevice({ endpoint: '1001' }, { kind: 'busy' });
    h.setDevice({ endpoint: '1002' }, { kind: 'busy' });
    const call = await h.placeCall({ from: '+12025550999', to: '+12025550200' });
    const r = await h.waitForRecord(call);
    expect(r.outcome).toBe('voicemail');
    await waitFor(() => recording(h.inst.spoolDir, '1001'), 20_000, 'recording started');
    await talk();
    await h.hangupCaller(call);
    const msgs = await waitFor(() => (messages(h.inst.spoolDir, '1001').length > 0 ? messages(h.inst.spoolDir, '1001') : null), 10_000, 'message file');
    expect(msgs[0]!.duration).toBeGreaterThan(0);
  });
});
