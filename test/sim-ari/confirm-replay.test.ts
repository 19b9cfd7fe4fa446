/**
 * The press-1 recording of a real Asterisk 22.10.1 (test/fixtures/asterisk-real/confirm-calls.jsonl,
 * made by test/pbx/asterisk/confirm.test.ts with SWITCHBOARD_RECORD_FIXTURES=1) and the simulator
 * held to it: the key a Local-channel phone sends with SendDTMF arrives as ChannelDtmfReceived on
 * the leg held in Stasis, with the same fields; the prompt's playback events have the same fields
 * and states, `sound:beep` lasts as long, and a playback cut off by the leg's hang-up ends
 * `failed`, as Asterisk reports it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';
import { AsteriskHarness } from '../scenarios/asterisk-harness.js';
import { CONFIRM_CONFIG } from '../scenarios/confirm-suite.js';
import { AriObserver, type ObservedEvent } from '../pbx/asterisk/observer.js';
import { waitFor } from '../support/wait.js';

type Ev = { t_ms: number; type: string; event: Record<string, any> };
const recorded: Ev[] = readFileSync(resolve(REPO_ROOT, 'test/fixtures/asterisk-real/confirm-calls.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l))
  .filter((l) => l.kind === 'event');

const keys = (o: Record<string, unknown>) => Object.keys(o).sort();
/** The fields of each kind of event, as a sorted key list per type (and of the playback inside). */
function shapes(evs: Ev[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of evs) {
    if (e.type === 'ChannelDtmfReceived') out.dtmf = keys(e.event);
    if (e.type.startsWith('Playback')) {
      out.playbackEvent = keys(e.event);
      out.playback = keys(e.event.playback);
    }
  }
  return out;
}
/** How long each prompt played before it was done, and the states each ended in. */
function playbacks(evs: Ev[]): { doneMs: number[]; finalStates: string[] } {
  const started = new Map<string, number>();
  const doneMs: number[] = [];
  const finalStates: string[] = [];
  for (const e of evs) {
    const key = `${e.event.playback?.id}`;
    if (e.type === 'PlaybackStarted') started.set(key, e.t_ms);
    if (e.type === 'PlaybackFinished') {
      finalStates.push(e.event.playback.state);
      if (e.event.playback.state === 'done' && started.has(key)) doneMs.push(e.t_ms - started.get(key)!);
    }
  }
  return { doneMs, finalStates };
}

describe('the real press-1 recording (Asterisk 22.10.1)', () => {
  it('given SendDTMF in a Local phone, then ChannelDtmfReceived comes on the ;1 leg held in Stasis, one event per key', () => {
    const dtmf = recorded.filter((e) => e.type === 'ChannelDtmfReceived');
    expect(dtmf.map((e) => e.event.digit)).toEqual(['1', '2', '1', '1', '1']);
    for (const e of dtmf) {
      expect(e.event.channel.name).toMatch(/^Local\/\+\d+@sb-test-carrier-[0-9a-f]+;1$/);
      expect(e.event.channel.state).toBe('Up');
      expect(e.event.channel.dialplan.app_name).toBe('Stasis');
      expect(e.event.duration_ms).toBe(100);
    }
    expect(shapes(recorded).dtmf).toEqual(['application', 'asterisk_id', 'channel', 'digit', 'duration_ms', 'timestamp', 'type']);
  });

  it('given the beep prompt, then it plays about 440 ms, and a hang-up during it ends it failed', () => {
    const p = playbacks(recorded);
    expect(p.doneMs.length).toBeGreaterThan(5);
    for (const ms of p.doneMs) expect(ms).toBeGreaterThanOrEqual(400), expect(ms).toBeLessThan(600);
    expect(p.finalStates).toContain('failed');
    const first = recorded.find((e) => e.type === 'PlaybackStarted')!;
    expect(first.event.playback.media_uri).toBe('sound:beep');
    expect(first.event.playback.target_uri).toMatch(/^channel:/);
  });
});

describe('the simulator against the recording', () => {
  const h = new AsteriskHarness();
  let obs: AriObserver;
  beforeAll(async () => {
    await h.start(CONFIRM_CONFIG);
    obs = await AriObserver.connect({ ariUrl: h.sim.url, ariUser: 'switchboard', ariPassword: 'test-secret' });
  });
  afterAll(async () => {
    obs?.close();
    await h.stop();
  });
  const since = (n: number): Ev[] => (obs.events as ObservedEvent[]).slice(n).map((e) => ({ t_ms: e.t_ms, type: e.type, event: e.event as Record<string, any> }));

  it('given a mobile that presses 1, then the simulator sends the key and the prompt with the recorded fields and timing', async () => {
    const n = obs.events.length;
    h.setDevice({ endpoint: '1011' }, { kind: 'noanswer' });
    h.setDevice({ number: '+12025550121' }, { kind: 'answer', afterMs: 200, press: { key: '1', afterMs: 700 } });
    const call = await h.placeCall({ from: '+12025550999', to: '+12025550400' });
    await h.waitForAnswer(call);
    await h.hangupCaller(call);
    await h.waitForRecord(call);
    const evs = since(n);
    expect(shapes(evs)).toEqual(shapes(recorded));
    const dtmf = evs.filter((e) => e.type === 'ChannelDtmfReceived');
    expect(dtmf.map((e) => [e.event.digit, e.event.duration_ms, e.event.channel.state, e.event.channel.dialplan.app_name])).toEqual([['1', 100, 'Up', 'Stasis']]);
    const p = playbacks(evs);
    for (const ms of p.doneMs) expect(ms).toBeGreaterThanOrEqual(400), expect(ms).toBeLessThan(600);
  });

  it('given a mobile that hangs up while its prompt plays, then the playback ends failed as on Asterisk', async () => {
    const n = obs.events.length;
    h.setDevice({ endpoint: '1011' }, { kind: 'answer', afterMs: 1500 });
    h.setDevice({ number: '+12025550121' }, { kind: 'answer', afterMs: 200, talkMs: 200 });
    const call = await h.placeCall({ from: '+12025550999', to: '+12025550400' });
    await h.waitForAnswer(call);
    await h.hangupCaller(call);
    await h.waitForRecord(call);
    await waitFor(() => since(n).some((e) => e.type === 'PlaybackFinished'), 3000, 'the prompt finished');
    expect(playbacks(since(n)).finalStates).toEqual(['failed']);
  });
});
