/**
 * The ARI simulator against the real Asterisk 22.10.1's device events (test/fixtures/asterisk-real/
 * devices.jsonl, made by test/pbx/asterisk/devices.test.ts): three phones register, one takes a call
 * placed outside Switchboard, one unregisters and registers again. Per device the simulator must
 * send the same DeviceStateChanged states in the same order, and per endpoint the same
 * PeerStatusChange / ContactStatusChange sequence. The order BETWEEN the two streams is not
 * compared: the real Asterisk publishes device state from its own task queue, and two recordings
 * of the same run differ there (DeviceStateChanged before PeerStatusChange once, after it another time).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { REPO_ROOT } from '../support/shared.js';
import { AriObserver } from '../pbx/asterisk/observer.js';
import { OBSERVER_APP } from '../pbx/asterisk/config.js';
import { ariDeviceRecord, isAriDeviceEvent } from '../support/device-record.js';
import { waitFor } from '../support/wait.js';

type Rec = Record<string, unknown>;
const recorded: Rec[] = readFileSync(resolve(REPO_ROOT, 'test/fixtures/asterisk-real/devices.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
const PHONES = ['1001', '1002', '1005'];

/** The two streams: device states per device, peer/contact status per endpoint. */
function streams(recs: Rec[]): Record<string, Rec[]> {
  const out: Record<string, Rec[]> = {};
  for (const r of recs) {
    const key = r.type === 'DeviceStateChanged' ? `device ${String(r.device)}` : `endpoint ${String(r.endpoint)}`;
    (out[key] ??= []).push(r);
  }
  return out;
}

let sim: AriSimulator | undefined;
let obs: AriObserver | undefined;
afterEach(async () => {
  obs?.close();
  await sim?.stop();
});

describe('ARI simulator replays the real Asterisk device-state recording', () => {
  it('given the recorded actions, then each device and each endpoint reports the same sequence', async () => {
    sim = await AriSimulator.start({ port: 0, username: 'u', password: 'p' });
    for (const ep of PHONES) sim.setRegistered(ep, false); // before anyone listens: the phones start unplugged
    obs = await AriObserver.connect({ ariUrl: sim.url, ariUser: 'u', ariPassword: 'p' });
    const sources = PHONES.flatMap((ep) => [`deviceState:PJSIP/${ep}`, `endpoint:PJSIP/${ep}`]).join(',');
    const res = await fetch(`${sim.url}/ari/applications/${OBSERVER_APP}/subscription?eventSource=${encodeURIComponent(sources)}&api_key=u:p`, { method: 'POST' });
    expect(res.status).toBe(200);

    for (const ep of PHONES) sim.setRegistered(ep, true);
    sim.foreignCall('1001', true);
    sim.foreignCall('1001', false);
    sim.setRegistered('1002', false);
    sim.setRegistered('1002', true);
    const mine = () => obs!.events.filter((e) => isAriDeviceEvent(e.type, e.event, PHONES)).map((e) => ariDeviceRecord(e.type, e.event));
    await waitFor(() => mine().length >= recorded.length, 2000, 'the simulator events');
    expect(streams(mine())).toEqual(streams(recorded));
    expect(mine()).toHaveLength(recorded.length);
  });
});
