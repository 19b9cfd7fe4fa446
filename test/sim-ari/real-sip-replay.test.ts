/**
 * The recording of real SIP calls on a real Asterisk 22.10.1 (test/fixtures/asterisk-real/, made
 * by test/pbx/asterisk/sip.test.ts) replayed against the simulator: the same five calls to the
 * same phones (1001 answers, 1002 486, 1003 603, 1004 never answers, 1005 not registered), and
 * per desk-phone leg the same Dial statuses in order and the same ChannelDestroyed cause.
 *
 * Not replayed: the registration events (PeerStatusChange, ContactStatusChange,
 * DeviceStateChanged) the recording also holds; the simulator has no SIP registrations.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';
import { AsteriskHarness } from '../scenarios/asterisk-harness.js';
import { AriObserver } from '../pbx/asterisk/observer.js';

interface Line { kind: string; type?: string; event?: Record<string, any>; call?: string; channelId?: string }
const lines: Line[] = readFileSync(resolve(REPO_ROOT, 'test/fixtures/asterisk-real/sip-calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
const events = lines.filter((l) => l.kind === 'event') as (Line & { type: string; event: Record<string, any> })[];

/** What each desk-phone leg did, in the order the legs were created: ext, Dial statuses, destroy cause. */
type LegSignature = [ext: string, dialstatuses: string[], cause: number | null];

function signatures(evs: { type: string; event: Record<string, any> }[], startAt: number, endAt: number): LegSignature[] {
  const slice = evs.slice(startAt, endAt);
  const legs = slice.filter((e) => e.type === 'ChannelCreated' && /^PJSIP\/10\d\d-/.test(e.event.channel.name));
  return legs.map((created) => {
    const id = created.event.channel.id as string;
    const statuses = slice.filter((e) => e.type === 'Dial' && e.event.peer?.id === id).map((e) => String(e.event.dialstatus)).filter((s, i, a) => s !== '' && s !== a[i - 1]);
    const destroyed = slice.find((e) => e.type === 'ChannelDestroyed' && e.event.channel.id === id);
    return [String(created.event.channel.name).slice(6, 10), statuses, destroyed ? Number(destroyed.event.cause) : null];
  });
}

/** Each recorded call's event range: from its inbound channel's creation to the next call's. */
function recordedCalls(): { name: string; legs: LegSignature[] }[] {
  const notes = lines.filter((l) => l.kind === 'note');
  const starts = notes.map((n) => events.findIndex((e) => e.type === 'ChannelCreated' && e.event.channel.id === n.channelId));
  return notes.map((n, i) => ({ name: n.call!, legs: signatures(events, starts[i]!, starts[i + 1] ?? events.length) }));
}

const CALLS: Record<string, { to: string; hangupAfterMs?: number }> = {
  answered: { to: '+12025550200', hangupAfterMs: 1500 },
  busy: { to: '+12025550201' },
  declined: { to: '+12025550202' },
  'no answer': { to: '+12025550203' },
  unregistered: { to: '+12025550204' },
};

describe('real SIP recording (Asterisk 22.10.1) replayed against the simulator', () => {
  const recorded = recordedCalls().filter((c) => c.name in CALLS);
  const h = new AsteriskHarness();
  let obs: AriObserver;
  const hangupOnly = { unanswered: 'hangup', forwardToCompany: false } as const;
  beforeAll(async () => {
    await h.start({
      users: ['alice:1001', 'bob:1002', 'carol:1003', 'dave:1004', 'erin:1005'].map((u) => ({ id: u.split(':')[0]!, name: u, extension: u.split(':')[1]! })),
      numbers: [
        { number: '+12025550200', user: 'alice', alsoRing: ['dave'], ringSeconds: 5, ...hangupOnly },
        { number: '+12025550201', user: 'bob', ringSeconds: 5, ...hangupOnly },
        { number: '+12025550202', user: 'carol', ringSeconds: 5, ...hangupOnly },
        { number: '+12025550203', user: 'dave', ringSeconds: 2, ...hangupOnly },
        { number: '+12025550204', user: 'erin', ringSeconds: 5, ...hangupOnly },
      ],
    });
    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 300 });
    h.setDevice({ endpoint: '1002' }, { kind: 'busy' });
    h.setDevice({ endpoint: '1003' }, { kind: 'rejected' });
    h.setDevice({ endpoint: '1004' }, { kind: 'noanswer' });
    obs = await AriObserver.connect({ ariUrl: h.sim.url, ariUser: 'switchboard', ariPassword: 'test-secret' });
  });
  afterAll(async () => {
    obs?.close();
    await h.stop();
  });

  it('holds the five calls, with desk-phone legs', () => {
    expect(recorded.map((c) => c.name)).toEqual(Object.keys(CALLS));
    expect(recorded.find((c) => c.name === 'answered')!.legs.map((l) => l[0])).toEqual(['1001', '1004']);
  });

  it.each(Object.keys(CALLS))('call "%s": the simulator gives each leg the recorded Dial statuses and cause', async (name) => {
    const want = recorded.find((c) => c.name === name)!;
    const from = obs.events.length;
    const call = await h.placeCall({ from: '+12025550777', ...CALLS[name]! });
    await h.waitForRecord(call, 10_000);
    // The record is written before the last leg is torn down: wait for every channel to go.
    const deadline = Date.now() + 3000;
    while (h.live().channels > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(signatures(obs.events, from, obs.events.length)).toEqual(want.legs);
  });
});
