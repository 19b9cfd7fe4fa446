/**
 * The press-1 recording of a real FreeSWITCH 1.10.12 over SIP (test/fixtures/freeswitch-real/
 * confirm-sip.jsonl, made by test/pbx/freeswitch/confirm-sip.test.ts with
 * SWITCHBOARD_RECORD_FIXTURES=1) and the ESL simulator held to it: per outside leg the same
 * events in the same order (answer, the confirm `sleep`, the prompt's playback, the key as a DTMF
 * event with the recorded digit, duration and source, the hang-up), and the same hang-up cause
 * (NORMAL_CLEARING once bridged, CALL_REJECTED when the controller refused it, ORIGINATOR_CANCEL
 * when the caller left).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';
import { FreeswitchHarness } from '../scenarios/freeswitch-harness.js';
import { waitFor } from '../support/wait.js';

interface Row { event: string; uuid: string; number: string; app?: string; data?: string; digit?: string; duration?: string; source?: string; cause?: string }
const recorded: Row[] = readFileSync(resolve(REPO_ROOT, 'test/fixtures/freeswitch-real/confirm-sip.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

/** Each leg's story in one line per event: `CHANNEL_EXECUTE sleep`, `DTMF 1 2240 RTP`, `CHANNEL_HANGUP_COMPLETE CALL_REJECTED`. */
function stories(rows: Row[]): string[][] {
  const byLeg = new Map<string, string[]>();
  for (const r of rows) {
    const line = r.event === 'CHANNEL_EXECUTE' ? `${r.event} ${r.app}` : r.event === 'DTMF' ? `DTMF ${r.digit} ${r.duration} ${r.source}` : r.event === 'CHANNEL_HANGUP_COMPLETE' ? `${r.event} ${r.cause}` : r.event;
    byLeg.set(r.uuid, [...(byLeg.get(r.uuid) ?? []), line]);
  }
  return [...byLeg.values()];
}

const PRESS_1 = ['CHANNEL_ANSWER', 'CHANNEL_EXECUTE sleep', 'CHANNEL_EXECUTE playback', 'DTMF 1 2240 RTP', 'CHANNEL_HANGUP_COMPLETE NORMAL_CLEARING'];
const PRESS_2 = ['CHANNEL_ANSWER', 'CHANNEL_EXECUTE sleep', 'CHANNEL_EXECUTE playback', 'DTMF 2 2240 RTP', 'CHANNEL_HANGUP_COMPLETE CALL_REJECTED'];
const SILENT = ['CHANNEL_ANSWER', 'CHANNEL_EXECUTE sleep', 'CHANNEL_EXECUTE playback', 'CHANNEL_HANGUP_COMPLETE CALL_REJECTED'];
const CALLER_LEFT = ['CHANNEL_ANSWER', 'CHANNEL_EXECUTE sleep', 'CHANNEL_EXECUTE playback', 'CHANNEL_HANGUP_COMPLETE ORIGINATOR_CANCEL'];

describe('the real press-1 recording (FreeSWITCH 1.10.12, SIP, RFC 2833)', () => {
  it('holds four outside legs: pressed 1 and bridged, pressed 2, silent, and the caller left', () => {
    expect(stories(recorded)).toEqual([PRESS_1, PRESS_2, SILENT, CALLER_LEFT]);
    const sleep = recorded.find((r) => r.app === 'sleep')!;
    expect(sleep.data).toBe('5000'); // (seconds + 3) * 1000 for seconds = 2
    expect(recorded.find((r) => r.app === 'playback')!.data).toBe('tone_stream://%(250,0,800)');
  });
});

describe('the ESL simulator against the recording', () => {
  const h = new FreeswitchHarness();
  const rows: Row[] = [];
  beforeAll(async () => {
    await h.start({
      company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
      users: [
        { id: 'mia', name: 'Mia', extension: '1011', mobile: '+12025550121' },
        { id: 'dan', name: 'Dan', extension: '1012', mobile: '+12025550123' },
      ],
      numbers: [
        { number: '+12025550400', user: 'mia', ringSeconds: 5, forwardToCompany: false, unanswered: 'hangup' },
        { number: '+12025550401', user: 'dan', ringSeconds: 5, forwardToCompany: false, unanswered: 'hangup' },
      ],
      confirm: { devices: ['mobile'], key: '1', seconds: 2 },
    });
    h.sim.events.on('event', (e: { name: string; uuid: string; headers: Record<string, string> }) => {
      const number = e.headers['Caller-Destination-Number'] ?? '';
      // The kinds of event the recording kept (confirm-sip.test.ts `record`).
      if (!/^\+1202555012[13]$/.test(number) || !['CHANNEL_ANSWER', 'CHANNEL_EXECUTE', 'DTMF', 'CHANNEL_HANGUP_COMPLETE'].includes(e.name)) return;
      rows.push({ event: e.name, uuid: e.uuid, number, app: e.headers.Application, data: e.headers['Application-Data'], digit: e.headers['DTMF-Digit'], duration: e.headers['DTMF-Duration'], source: e.headers['DTMF-Source'], cause: e.headers['Hangup-Cause'] });
    });
    h.setDevice({ endpoint: '1011' }, { kind: 'noanswer' });
    h.setDevice({ endpoint: '1012' }, { kind: 'answer', afterMs: 3200 });
  });
  afterAll(() => h.stop());

  const one = async (mobile: string, press: string | null, to: string, hangupAfterMs?: number): Promise<string[]> => {
    const from = rows.length;
    h.setDevice({ number: mobile }, { kind: 'answer', afterMs: 200, ...(press ? { press: { key: press, afterMs: 700 } } : {}) });
    const call = await h.placeCall({ from: '+12025550999', to, ...(hangupAfterMs ? { hangupAfterMs } : {}) });
    if (!hangupAfterMs) {
      await h.waitForAnswer(call, 8000);
      await h.hangupCaller(call);
    }
    await h.waitForRecord(call);
    await waitFor(() => rows.slice(from).some((r) => r.event === 'CHANNEL_HANGUP_COMPLETE'), 3000, 'the outside leg ended');
    return stories(rows.slice(from))[0]!;
  };

  it('given the same four calls, then each outside leg has the recorded story', async () => {
    expect(await one('+12025550121', '1', '+12025550400')).toEqual(PRESS_1);
    expect(await one('+12025550123', '2', '+12025550401')).toEqual(PRESS_2);
    expect(await one('+12025550123', null, '+12025550401')).toEqual(SILENT);
    expect(await one('+12025550121', null, '+12025550400', 900)).toEqual(CALLER_LEFT);
  }, 30_000);
});
