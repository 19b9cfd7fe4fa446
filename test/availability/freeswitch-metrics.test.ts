/**
 * Section 6 metrics end to end on FreeSWITCH (the ESL simulator): devices by state come from the
 * registrations and channels the controller reads on the inbound ESL connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FreeswitchHarness } from '../scenarios/freeswitch-harness.js';
import { waitFor } from '../support/wait.js';

describe('devices by state in /metrics, on FreeSWITCH', () => {
  const h = new FreeswitchHarness();
  beforeAll(async () => {
    await h.start({
      company: { name: 'Acme', phone: '+12025550100' },
      users: [
        { id: 'alice', name: 'Alice', extension: '1001' },
        { id: 'bob', name: 'Bob', extension: '1002' },
        { id: 'carol', name: 'Carol', extension: '1003' },
      ],
      numbers: [{ number: '+12025550200', user: 'alice' }],
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  const metric = async (state: string) => {
    const text = await h.controller.metrics.registry.metrics();
    return Number(new RegExp(`^switchboard_devices\\{state="${state}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  };

  it('given one phone unregistered and one on a call placed outside Switchboard, then the gauge counts each state', async () => {
    await waitFor(async () => (await metric('idle')) === 3, 3000, 'three idle phones after the seed');
    await h.setRegistered('1003', false);
    await h.foreignCall('1001', true);
    expect([await metric('idle'), await metric('in-use'), await metric('unavailable')]).toEqual([1, 1, 1]);
    await h.foreignCall('1001', false);
    await h.setRegistered('1003', true);
    expect(await metric('idle')).toBe(3);
  });
});
