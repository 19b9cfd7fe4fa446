/**
 * The ESL simulator against the real FreeSWITCH's device-state events: the same actions as
 * test/pbx/freeswitch/devices.test.ts (three phones register, a call placed directly to one of them
 * is answered and hung up, one unregisters and registers again) must give the same inbound event
 * sequence, with the fields the controller reads (test/support/device-record.ts), as the recording
 * test/fixtures/freeswitch-real/devices-inbound.jsonl; and `show registrations as json` the same columns.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EslSimulator } from '../../src/sim/freeswitch/simulator.js';
import { DEVICE_EVENTS } from '../../src/backend/freeswitch/devices.js';
import type { EslEvent } from '../../src/esl/protocol.js';
import { EslClient } from '../pbx/freeswitch/esl-client.js';
import { deviceRecord } from '../support/device-record.js';
import { waitFor } from '../support/wait.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/freeswitch-real');
const recorded = fs.readFileSync(path.join(FIXTURES, 'devices-inbound.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
const realColumns = (JSON.parse(fs.readFileSync(path.join(FIXTURES, 'devices-show-registrations.json'), 'utf8')) as { columns: string[] }).columns;

let sim: EslSimulator | undefined;
let client: EslClient | undefined;
afterEach(async () => {
  client?.close();
  await sim?.stop();
});

describe('ESL simulator replays the real FreeSWITCH device-state recording', () => {
  it('given the recorded actions, then the simulator sends the same events in the same order with the same fields', async () => {
    // Nobody registered at first, as on the real switch before the phones start.
    sim = await EslSimulator.start({ eslPort: 0, password: 'pw', socketTarget: { host: '127.0.0.1', port: 1 }, directory: [] });
    client = await EslClient.connect(sim.eslPort, 'pw', 2000);
    const seen: EslEvent[] = [];
    client.on('event', (e: EslEvent) => seen.push(e));
    // The product's own subscription (src/backend/freeswitch/inbound.ts).
    await client.subscribe(['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE', ...DEVICE_EVENTS]);
    expect(JSON.parse(await client.api('show registrations as json'))).toEqual({ row_count: 0 });

    for (const ep of ['1001', '1002', '1005']) sim.setRegistered(ep, true);
    const regs = JSON.parse(await client.api('show registrations as json')) as { rows: Record<string, string>[] };
    expect(regs.rows.map((r) => r.reg_user)).toEqual(['1001', '1002', '1005']);
    expect(Object.keys(regs.rows[0]!)).toEqual(realColumns);
    sim.foreignCall('1001', true);
    sim.foreignCall('1001', false);
    // As the real test did: the next step once the call is over (the sim completes it a tick later).
    await client.api('status');
    sim.setRegistered('1002', false);
    expect(await client.api('originate user/1002 &park')).toBe('-ERR USER_NOT_REGISTERED\n');
    sim.setRegistered('1002', true);
    await waitFor(() => seen.length >= recorded.length, 2000, 'the simulator events');
    await client.api('status'); // anything still in flight arrives before this reply
    expect(seen.map(deviceRecord)).toEqual(recorded);
  });
});
