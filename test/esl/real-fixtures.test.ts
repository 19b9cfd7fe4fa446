/**
 * Replays the calls recorded on a real FreeSWITCH 1.10.12 (test/fixtures/freeswitch-real/, written
 * by test/pbx/freeswitch/sip.test.ts with SWITCHBOARD_RECORD_FIXTURES=1) against the ESL simulator:
 * the same phone behind each call, the same controller, the same recording tap; what the
 * controller receives on the controlled leg must be the same events in the same order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceBehaviour } from '../../src/sim/devices.js';
import { FreeswitchHarness } from '../scenarios/freeswitch-harness.js';
import { EslTap, type TapRecord } from '../pbx/freeswitch/tap.js';
import type { FreeswitchBackend } from '../../src/backend/freeswitch/backend.js';
import { waitFor } from '../support/wait.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/freeswitch-real/sip-controlled.jsonl');

/** The recorded calls, one per controlled-leg connection. */
function recordedCalls(): { conn: number; records: TapRecord[] }[] {
  const by = new Map<number, TapRecord[]>();
  for (const line of fs.readFileSync(FIXTURE, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as TapRecord;
    by.set(r.conn, [...(by.get(r.conn) ?? []), r]);
  }
  return [...by].map(([conn, records]) => ({ conn, records }));
}

/**
 * What the controller got, as names. The linger notice is left out of the order: on the real
 * switch it came right after CHANNEL_HANGUP in 4 of these 5 calls and after HANGUP_COMPLETE in
 * one (surprise 5: timing, not protocol); that one is sent is checked separately.
 */
export function received(records: TapRecord[]): string[] {
  return records
    .filter((r) => r.kind === 'recv' && r.type !== 'command/reply' && r.type !== 'text/disconnect-notice')
    // `set` runs are the controller's choice (it may set variables another way), not the switch's.
    .filter((r) => r.app !== 'set')
    .map((r) => (r.app ? `${r.event}(${r.app})` : (r.event ?? r.type)));
}

/** The behaviour of the phone a recorded call rang (from its bridge argument). */
const PHONE: Record<string, DeviceBehaviour> = {
  '1001': { kind: 'answer', afterMs: 200 },
  '1002': { kind: 'busy' },
  '1003': { kind: 'rejected' },
  '1005': { kind: 'noanswer' },
  '1004': { kind: 'unreachable' },
};

const calls = fs.existsSync(FIXTURE) ? recordedCalls() : [];

describe('real FreeSWITCH recordings replayed against the ESL simulator', () => {
  let h: FreeswitchHarness;
  let tap: EslTap;
  beforeAll(async () => {
    // Voicemail as long as on the recording switch (max-record-len 4 s plus prompts): the caller hangs up first.
    // Recorded with a switchboard.xml from before its sets moved ahead of `socket`: the controller sent them.
    h = new FreeswitchHarness(10_000, { beforeSocket: {} });
    await h.start({
      company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
      users: Object.keys(PHONE).map((ext) => ({ id: `u${ext}`, name: `User ${ext}`, extension: ext })),
      numbers: Object.keys(PHONE).map((ext) => ({ number: `+1202555030${ext.slice(-1)}`, user: `u${ext}`, forwardToCompany: false, ringSeconds: 2 })),
    });
    tap = new EslTap(() => (h.controller.backend as FreeswitchBackend).listenPort);
    h.sim.setSocketTarget({ host: '127.0.0.1', port: await tap.start() });
    for (const [ext, b] of Object.entries(PHONE)) h.setDevice({ endpoint: ext }, b);
  });
  afterAll(async () => {
    await tap?.stop();
    await h?.stop();
  });

  it('has the recordings', () => {
    expect(calls.length).toBe(5);
  });

  for (const { conn, records } of calls) {
    const bridge = records.find((r) => r.kind === 'send' && r.app === 'bridge')?.headers?.arg ?? '';
    const ext = /user\/(\d+)/.exec(bridge)?.[1] ?? '?';
    it(`call ${conn} (user/${ext}): the simulator sends the controller the same events in the same order`, async () => {
      const to = `+1202555030${ext.slice(-1)}`;
      // The recorded carrier hung up 1.5 s after it was answered (by the phone or by voicemail).
      const call = await h.placeCall({ from: '+12025550999', to, hangupAfterMs: ext === '1005' ? 3800 : 1800 });
      await h.waitForRecord(call, 10_000);
      await waitFor(() => tap.forChannel(call.callId).some((r) => r.event === 'CHANNEL_HANGUP_COMPLETE'), 5000, 'HANGUP_COMPLETE through the tap');
      await waitFor(() => tap.forChannel(call.callId).some((r) => r.type === 'text/disconnect-notice'), 12_000, 'a disconnect notice');
      expect(received(tap.forChannel(call.callId))).toEqual(received(records));
    }, 30_000);
  }
});
