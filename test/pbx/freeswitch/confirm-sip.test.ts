/**
 * Press-1 confirmation on a real FreeSWITCH 1.10.12 over real SIP: the outside number is a SIPp
 * UAS that answers and then presses its key as RFC 2833 events (Debian sip-tester's
 * dtmf_2833_<key>.pcap); desk phones are SIPp phones registered with digest auth (1011 never
 * answers, 1012 answers after 3.2 s). The caller is a loopback channel into the shipped dialplan,
 * as in the scenario suite. Loopback phones cannot confirm at all (confirm.test.ts says why), so
 * this is where the FreeSWITCH backend's confirmation meets the real switch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { CallRecord } from '../../../src/call/record.js';
import { waitFor } from '../../support/wait.js';
import { describePbx } from '../support/locate.js';
import { locateFreeswitch, type FreeswitchInstall } from './locate.js';
import { RealFreeswitchHarness } from './harness.js';
import { freePort, REPO } from './instance.js';
import { Sipp } from './sipp.js';

const found = locateFreeswitch();
const CALLER = '+12025550999';
const legs = (r: CallRecord) => r.legs.map((l) => [l.user, l.device, l.result]);

describePbx('press-1 confirmation on a real FreeSWITCH over SIP (SIPp outside number sending RFC 2833)', found, () => {
  let h: RealFreeswitchHarness;
  let sipp: Sipp;
  let mobilePort: number;
  let stopMobile: (() => void) | null = null;

  beforeAll(async () => {
    mobilePort = await freePort();
    const config: ConfigInput = {
      company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
      // Every outside number reaches the SIPp UAS of the test; its behaviour is set per test.
      trunks: { default: { freeswitch: `sofia/internal/{number}@127.0.0.1:${mobilePort}` } },
      users: [
        { id: 'mia', name: 'Mia', extension: '1011', mobile: '+12025550121' },
        { id: 'dan', name: 'Dan', extension: '1012', mobile: '+12025550123' },
      ],
      numbers: [
        { number: '+12025550400', user: 'mia', ringSeconds: 5, forwardToCompany: false, unanswered: 'hangup' },
        { number: '+12025550401', user: 'dan', ringSeconds: 5, forwardToCompany: false, unanswered: 'hangup' },
      ],
      confirm: { devices: ['mobile'], key: '1', seconds: 2 },
    };
    h = new RealFreeswitchHarness(found as FreeswitchInstall, { phones: 'sip' });
    await h.start(config);
    sipp = new Sipp(path.join(h.fs.dir, 'sipp'));
    await sipp.phone('1011', h.fs.userPassword, await freePort(), h.fs.sipPort, 'noanswer');
    await sipp.phone('1012', h.fs.userPassword, await freePort(), h.fs.sipPort, 'answer-late');
    await waitFor(() => ['1011', '1012'].every((u) => h.view.registered.includes(u)), 5000, 'two registrations');
  }, 90_000);
  afterEach(() => {
    stopMobile?.();
    stopMobile = null;
  });
  afterAll(async () => {
    sipp?.stop();
    if (h && process.env.SWITCHBOARD_RECORD_FIXTURES === '1') record(h);
    await h?.stop();
  });
  const mobile = async (key: string | null) => (stopMobile = sipp.mobile(mobilePort, await freePort(), key));

  it('given a mobile that answers and presses 1 (RFC 2833), then it is bridged, and the caller was not answered before the key', async () => {
    await mobile('1');
    const call = await h.placeCall({ from: CALLER, to: '+12025550400' });
    await h.waitForAnswer(call, 8000);
    await h.hangupCaller(call);
    const r = await h.waitForRecord(call);
    expect(r.answeredBy).toEqual({ user: 'mia', device: 'mobile' });
    expect(legs(r)).toEqual([
      ['mia', 'desk', 'cancelled'],
      ['mia', 'mobile', 'answered'],
    ]);
    // The mobile picked up 0.2 s in and pressed 0.7 s later: the caller was answered by the key.
    expect(r.ringSeconds!).toBeGreaterThanOrEqual(0.8);
    await waitFor(() => h.live().channels === 0, 8000, 'no channel left');
  });

  it('given a mobile that answers and presses 2, then it ends unconfirmed at once while the desk phone rings on and then answers', async () => {
    await mobile('2');
    const call = await h.placeCall({ from: CALLER, to: '+12025550401' });
    await h.waitForAnswer(call, 8000);
    await h.hangupCaller(call);
    const r = await h.waitForRecord(call);
    expect(r.answeredBy).toEqual({ user: 'dan', device: 'desk' });
    expect(legs(r)).toEqual([
      ['dan', 'desk', 'answered'],
      ['dan', 'mobile', 'unconfirmed'],
    ]);
    expect(Date.parse(r.legs[1]!.endedAt!) - Date.parse(r.startedAt)).toBeLessThan(1800);
    await waitFor(() => h.live().channels === 0, 8000, 'no channel left');
  });

  it('given a mobile that answers and presses nothing, then it ends unconfirmed after its seconds while the desk phone rings on and then answers', async () => {
    await mobile(null);
    const call = await h.placeCall({ from: CALLER, to: '+12025550401' });
    await h.waitForAnswer(call, 8000);
    await h.hangupCaller(call);
    const r = await h.waitForRecord(call);
    expect(r.answeredBy).toEqual({ user: 'dan', device: 'desk' });
    expect(legs(r)).toEqual([
      ['dan', 'desk', 'answered'],
      ['dan', 'mobile', 'unconfirmed'],
    ]);
    const confirming = Date.parse(r.legs[1]!.endedAt!) - Date.parse(r.startedAt);
    expect(confirming).toBeGreaterThanOrEqual(2000);
    await waitFor(() => h.live().channels === 0, 8000, 'no channel left');
  });

  it('given the caller hangs up while a leg is confirming, then everything ends at once', async () => {
    await mobile(null);
    const call = await h.placeCall({ from: CALLER, to: '+12025550400', hangupAfterMs: 900 });
    const r = await h.waitForRecord(call);
    expect(r.outcome).toBe('abandoned');
    expect(legs(r)).toEqual([
      ['mia', 'desk', 'cancelled'],
      ['mia', 'mobile', 'cancelled'],
    ]);
    expect(r.durationSeconds!).toBeLessThan(1.9);
    await waitFor(() => h.live().channels === 0, 8000, 'no channel left');
  });
});

/**
 * What FreeSWITCH sent about the outside legs (sofia/internal/+1...): their answer, the confirm
 * application and prompt, each key as a DTMF event, and the hang-up cause; one JSON object a line,
 * in test/fixtures/freeswitch-real/confirm-sip.jsonl (replayed by test/esl/confirm-replay.test.ts).
 */
function record(h: RealFreeswitchHarness): void {
  const outside = new Set(h.view.events.filter((e) => /^sofia\/internal\/(%2B|\+)1/.test(e.headers['Channel-Name'] ?? '')).map((e) => e.headers['Unique-ID']));
  const rows = h.view.events
    .filter((e) => outside.has(e.headers['Unique-ID']) && ['CHANNEL_ANSWER', 'CHANNEL_EXECUTE', 'DTMF', 'CHANNEL_HANGUP_COMPLETE'].includes(e.name))
    .map((e) => ({
      event: e.name,
      uuid: e.headers['Unique-ID'],
      number: decodeURIComponent(e.headers['Caller-Destination-Number'] ?? ''),
      ...(e.name === 'CHANNEL_EXECUTE' ? { app: e.headers.Application, data: e.headers['Application-Data'] } : {}),
      ...(e.name === 'DTMF' ? { digit: e.headers['DTMF-Digit'], duration: e.headers['DTMF-Duration'], source: e.headers['DTMF-Source'] } : {}),
      ...(e.name === 'CHANNEL_HANGUP_COMPLETE' ? { cause: e.headers['Hangup-Cause'], answered: e.headers['variable_endpoint_disposition'] } : {}),
    }));
  const dir = path.join(REPO, 'test/fixtures/freeswitch-real');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'confirm-sip.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
