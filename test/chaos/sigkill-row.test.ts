/**
 * The call-log row of a call whose controller was SIGKILLed while it rang (issue 11 item 10): the
 * rules, the trace and the legs placed are in the row while it rings, so the resumed call's row
 * says who rang, not `legs: [], rules: [], trace: []`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { Store } from '../../src/store/index.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { startCli, type Child } from '../support/child.js';
import { waitFor } from '../support/wait.js';

describe('call-log row of a call ringing when the controller is SIGKILLed', () => {
  let sim: AriSimulator;
  let dir: string;
  let configFile: string;
  const children: Child[] = [];

  beforeAll(async () => {
    sim = await AriSimulator.start({ port: 0, username: 'switchboard', password: 'row-test' });
    dir = await mkdtemp(join(tmpdir(), 'switchboard-row-'));
    configFile = join(dir, 'switchboard.yaml');
    await writeFile(
      configFile,
      stringify({
        ...SCENARIO_CONFIG,
        numbers: [{ number: '+12025550200', user: 'alice', alsoRing: ['bob'], ringSeconds: 60 }],
        storage: { sqlite: 'calls.db' },
        asterisk: { url: sim.url, username: 'switchboard', password: 'row-test' },
        http: { listen: '127.0.0.1:0' },
      }),
    );
  });
  afterAll(async () => {
    for (const c of children) c.proc.kill('SIGKILL');
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const child = startCli(['run', '--config', configFile]);
    children.push(child);
    await waitFor(() => child.output().includes('controller started'), 20_000, `controller started; output:\n${child.output()}`);
    return child;
  };

  it('given two legs ringing, when the controller is killed and restarted, then the row keeps the rules, the trace and both legs', async () => {
    const first = await start();
    sim.setDevice('PJSIP/1001', { kind: 'noanswer' });
    sim.setDevice('PJSIP/1002', { kind: 'noanswer' });
    const call = await sim.placeInboundCall({ from: '+12025550901', to: '+12025550200' });
    await waitFor(() => sim.originates().filter((o) => o.dial.startsWith('PJSIP/')).length >= 2, 5000, 'two legs ringing');

    const store = await Store.open(join(dir, 'calls.db'));
    try {
      // While it rings, the row already holds what is known.
      const ringing = await waitFor(async () => {
        const r = await store.calls.get(call.channelId);
        return r && r.legs.length === 2 ? r : null;
      }, 5000, 'both legs in the row while ringing');
      expect(ringing.rules).toEqual(['number-user']);
      expect(ringing.trace.length).toBeGreaterThan(0);

      first.proc.kill('SIGKILL');
      await first.exited;
      await start();
      const row = await waitFor(async () => {
        const r = await store.calls.get(call.channelId);
        return r?.outcome ? r : null;
      }, 10_000, 'resumed call finished');
      expect(row.outcome).toBe('voicemail');
      expect(row.rules).toEqual(['number-user']);
      expect(row.trace.length).toBeGreaterThan(0);
      expect(row.legs.map((l) => [l.endpoint, l.result])).toEqual([
        ['1001', 'cancelled'],
        ['1002', 'cancelled'],
      ]);
    } finally {
      await store.close();
      await sim.hangup(call.pstnChannelId).catch(() => undefined);
    }
  });
});
