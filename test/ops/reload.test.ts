/**
 * Reloading a running controller's config (issue 11 items 3 and 8): an empty or half-written file
 * is refused (every call would be dropped), a reload that removes more than half of the numbers
 * at once is refused unless forced by SIGHUP, and atomic saves (rename over the file) keep being
 * picked up after the first.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { startCli, type Child } from '../support/child.js';
import { waitFor } from '../support/wait.js';

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('switchboard run reloading its config', () => {
  let sim: AriSimulator;
  let dir: string;
  let configFile: string;
  let child: Child | null = null;

  const config = (numbers: { number: string; user: string }[]) => ({
    ...SCENARIO_CONFIG,
    numbers: numbers.map((n) => ({ ...n, ringSeconds: 30 })),
    storage: { sqlite: 'calls.db' },
    asterisk: { url: sim.url, username: 'switchboard', password: 'reload-test' },
    http: { listen: '127.0.0.1:0' },
  });
  const FOUR = ['+12025550200', '+12025550201', '+12025550202', '+12025550203'].map((number) => ({ number, user: 'alice' }));

  beforeAll(async () => {
    sim = await AriSimulator.start({ port: 0, username: 'switchboard', password: 'reload-test' });
    dir = await mkdtemp(join(tmpdir(), 'switchboard-reload-'));
    configFile = join(dir, 'switchboard.yaml');
  });
  afterEach(() => {
    child?.proc.kill('SIGKILL');
    child = null;
    sim.reset();
  });
  afterAll(async () => {
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (numbers = FOUR) => {
    await writeFile(configFile, stringify(config(numbers)));
    const c = startCli(['run', '--config', configFile]);
    child = c;
    // This process's own start, not the app a killed predecessor may still hold.
    await waitFor(() => c.output().includes('controller started'), 20_000, `controller started; output:\n${c.output()}`);
    return c;
  };
  /** Place a call to `to` and return the first leg dialled for it. */
  const firstLeg = async (to: string) => {
    sim.setDevice('PJSIP/1001', { kind: 'noanswer' });
    sim.setDevice('PJSIP/1002', { kind: 'noanswer' });
    const before = sim.originates().length;
    const call = await sim.placeInboundCall({ from: '+12025550901', to });
    const o = await waitFor(() => sim.originates().slice(before).find((x) => x.dial.startsWith('PJSIP/')), 5000, 'a leg');
    await sim.hangup(call.pstnChannelId);
    return o.dial;
  };

  it('given the file is emptied and SIGHUP is sent, then the reload is refused and calls still ring', async () => {
    const c = await start();
    await writeFile(configFile, '');
    await waitFor(() => c.output().includes('config refused'), 20_000, `the empty file refused; output:\n${c.output()}`);
    c.proc.kill('SIGHUP');
    await waitFor(() => count(c.output(), 'config refused') >= 2, 20_000, `SIGHUP of the empty file refused; output:\n${c.output()}`);
    expect(c.output()).toContain('routes nothing');
    expect(c.output()).not.toContain('config reloaded');
    expect(await firstLeg('+12025550200')).toBe('PJSIP/1001');
  });

  it('given a change that removes three of four numbers, then the file change is refused, and SIGHUP forces it (logged)', async () => {
    const c = await start();
    await writeFile(configFile, stringify(config([{ number: '+12025550200', user: 'bob' }])));
    await waitFor(() => c.output().includes('config refused'), 20_000, `shrink refused; output:\n${c.output()}`);
    expect(c.output()).toContain('more than half of the numbers 4 -> 1');
    expect(await firstLeg('+12025550200')).toBe('PJSIP/1001');

    c.proc.kill('SIGHUP');
    await waitFor(() => c.output().includes('config reloaded'), 20_000, `forced reload; output:\n${c.output()}`);
    expect(c.output()).toContain('config reload forced');
    expect(await firstLeg('+12025550200')).toBe('PJSIP/1002');
  });

  it('given two atomic saves (write a new file, rename it over the config), then both are picked up', async () => {
    const c = await start();
    const save = async (user: string) => {
      const tmp = join(dir, `.switchboard.yaml.${user}`);
      await writeFile(tmp, stringify(config(FOUR.map((n) => ({ ...n, user })))));
      await rename(tmp, configFile);
    };
    await save('bob');
    await waitFor(() => count(c.output(), 'config reloaded') >= 1, 20_000, `first atomic save; output:\n${c.output()}`);
    expect(await firstLeg('+12025550201')).toBe('PJSIP/1002');
    await save('alice');
    await waitFor(() => count(c.output(), 'config reloaded') >= 2, 20_000, `second atomic save; output:\n${c.output()}`);
    expect(await firstLeg('+12025550201')).toBe('PJSIP/1001');
  });
});
