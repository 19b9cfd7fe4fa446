/**
 * SIGTERM with a call still ringing at the drain deadline (issue 11 item 9): the caller goes to
 * the fail-safe route instead of sitting in Stasis with nobody handling it, its row is closed,
 * and the process exits 0 at once instead of living on until a ring timer fires.
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

describe('drain deadline with a call still ringing', () => {
  let sim: AriSimulator;
  let dir: string;
  let child: Child | null = null;

  beforeAll(async () => {
    sim = await AriSimulator.start({ port: 0, username: 'switchboard', password: 'drain-test', failsafe: { companyMailbox: '9000' } });
    dir = await mkdtemp(join(tmpdir(), 'switchboard-drain-'));
  });
  afterAll(async () => {
    child?.proc.kill('SIGKILL');
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('given a ringing call when the drain deadline passes, then it takes the fail-safe route, its row is closed and the process exits 0', async () => {
    const file = join(dir, 'switchboard.yaml');
    await writeFile(
      file,
      stringify({
        ...SCENARIO_CONFIG,
        numbers: [{ number: '+12025550200', user: 'alice', ringSeconds: 60 }],
        storage: { sqlite: 'calls.db' },
        asterisk: { url: sim.url, username: 'switchboard', password: 'drain-test' },
        http: { listen: '127.0.0.1:0' },
      }),
    );
    const c = startCli(['run', '--config', file], { SWITCHBOARD_DRAIN_MS: '1000' });
    child = c;
    await waitFor(() => c.output().includes('controller started'), 20_000, `controller started; output:\n${c.output()}`);
    sim.setDevice('PJSIP/1001', { kind: 'noanswer' });
    const call = await sim.placeInboundCall({ from: '+12025550901', to: '+12025550200' });
    await waitFor(() => sim.originates().some((o) => o.dial === 'PJSIP/1001'), 5000, 'ringing');

    c.proc.kill('SIGTERM');
    // The ring timer is 60 s away: exiting well before it means the deadline, not the timer, ended it.
    const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    expect(code, c.output()).toBe(0);
    expect(sim.failsafeCalls().some((f) => f.channelId === call.channelId)).toBe(true);
    expect(sim.channels().some((ch) => ch.name.startsWith('PJSIP/1001'))).toBe(false);

    const store = await Store.open(join(dir, 'calls.db'));
    try {
      const row = await store.calls.get(call.channelId);
      expect(row?.outcome).toBe('dropped');
      expect(row?.detail).toContain('fail-safe');
      expect(row?.legs.map((l) => l.result)).toEqual(['cancelled']);
      expect(await store.calls.listStates()).toEqual([]);
    } finally {
      await store.close();
      await sim.hangup(call.pstnChannelId).catch(() => undefined);
    }
  });
});
