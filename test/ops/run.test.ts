/**
 * `switchboard run` as a process: SIGTERM drains (calls in progress finish, new calls go to the
 * fail-safe route, the call log is complete), the config reloads on change and on SIGHUP (a bad
 * one is refused with check-config's words and the last good config stays), and /healthz and
 * /metrics answer on 127.0.0.1.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { Store } from '../../src/store/index.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { startCli, type Child } from '../support/child.js';
import { waitFor } from '../support/wait.js';

describe('switchboard run (a real process)', () => {
  let sim: AriSimulator;
  let dir: string;
  let configFile: string;
  let child: Child | null = null;

  const config = (user: string) => ({
    ...SCENARIO_CONFIG,
    numbers: [{ number: '+12025550200', user, ringSeconds: 30 }],
    storage: { sqlite: 'calls.db' },
    asterisk: { url: sim.url, username: 'switchboard', password: 'run-test' },
    http: { listen: '127.0.0.1:0' },
  });

  beforeAll(async () => {
    sim = await AriSimulator.start({ port: 0, username: 'switchboard', password: 'run-test', failsafe: { companyMailbox: '9000' } });
    dir = await mkdtemp(join(tmpdir(), 'switchboard-run-'));
    configFile = join(dir, 'switchboard.yaml');
  });
  afterEach(() => {
    child?.proc.kill('SIGKILL');
    child = null;
  });
  afterAll(async () => {
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (user = 'alice', env: NodeJS.ProcessEnv = {}) => {
    await writeFile(configFile, stringify(config(user)));
    const c = startCli(['run', '--config', configFile], env);
    child = c;
    await waitFor(() => sim.connectedApps().includes('switchboard'), 20_000, `controller connected; output:\n${c.output()}`);
    // This process's own start: a killed predecessor's app may still be listed for a moment.
    await waitFor(() => c.output().includes('controller started'), 20_000, `controller started; output:\n${c.output()}`);
    return c;
  };

  const placeAndWaitForLeg = async (expectDial: string) => {
    const before = sim.originates().length;
    const call = await sim.placeInboundCall({ from: '+12025550901', to: '+12025550200' });
    const o = await waitFor(() => sim.originates().slice(before).find((x) => x.dial.startsWith('PJSIP/')), 5000, 'a leg');
    expect(o.dial).toBe(expectDial);
    await sim.hangup(call.pstnChannelId);
    return call;
  };

  it('given a bridged call, when SIGTERM arrives, then new calls take the fail-safe route, the bridged call finishes and the process exits 0', async () => {
    const c = await start('alice', { SWITCHBOARD_DRAIN_MS: '10000' });
    sim.setDevice('PJSIP/1001', { kind: 'answer', afterMs: 10 });
    const talking = await sim.placeInboundCall({ from: '+12025550901', to: '+12025550200' });
    await waitFor(() => sim.bridges().some((b) => b.channels.includes(talking.channelId)), 5000, 'bridged');

    const port = Number(await waitFor(() => /"port":(\d+),"msg":"serving \/metrics/.exec(c.output())?.[1], 5000, 'metrics port'));
    c.proc.kill('SIGTERM');
    await waitFor(() => c.output().includes('draining'), 5000, 'draining');
    // Red at once while it drains, with the reason: a proxy in front of several nodes stops sending calls.
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'stopping', pbxConnected: true, reason: 'stopping: draining calls in progress' });
    const late = await sim.placeInboundCall({ from: '+12025550902', to: '+12025550200' });
    await waitFor(() => sim.failsafeCalls().some((f) => f.channelId === late.channelId), 5000, 'late call on the fail-safe route');

    await sim.hangup(talking.pstnChannelId);
    expect(await c.exited).toBe(0);
    const store = await Store.open(join(dir, 'calls.db'));
    try {
      expect((await store.calls.get(talking.channelId))?.outcome).toBe('answered');
    } finally {
      await store.close();
    }
    await sim.hangup(late.pstnChannelId).catch(() => undefined);
  });

  it('given a running controller, when the config file changes, then new calls use it; a bad edit is refused and the last good config stays', async () => {
    const c = await start('alice');
    sim.setDevice('PJSIP/1001', { kind: 'noanswer' });
    sim.setDevice('PJSIP/1002', { kind: 'noanswer' });
    await placeAndWaitForLeg('PJSIP/1001');

    await writeFile(configFile, stringify(config('bob')));
    await waitFor(() => c.output().includes('config reloaded'), 20_000, 'reload');
    await placeAndWaitForLeg('PJSIP/1002');

    await writeFile(configFile, stringify(config('nobody-such')));
    await waitFor(() => c.output().includes('config refused'), 20_000, 'refusal');
    expect(c.output()).toContain('numbers[0].user');
    await placeAndWaitForLeg('PJSIP/1002');

    await writeFile(configFile, stringify(config('alice')).replace('ringSeconds: 30', 'ringSeconds: 31'));
    c.proc.kill('SIGHUP');
    await waitFor(() => (c.output().match(/config reloaded/g) ?? []).length >= 2, 20_000, 'second reload');
    await placeAndWaitForLeg('PJSIP/1001');
  });

  it('given a running controller, then /healthz and /metrics answer on 127.0.0.1', async () => {
    const c = await start('alice');
    const port = Number(await waitFor(() => /"port":(\d+),"msg":"serving \/metrics/.exec(c.output())?.[1], 20_000, 'metrics port'));
    // /healthz is served from the start (red until the WebSocket is up): wait for it to turn green.
    const health = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return res.status === 200 ? res : (await res.body?.cancel(), null);
    }, 5000, '/healthz green');
    expect(await health.json()).toMatchObject({ status: 'ok', pbxConnected: true, configGeneration: 1 });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('switchboard_pbx_connected 1');
    expect(metrics).toContain('switchboard_config_generation 1');
  });
});
