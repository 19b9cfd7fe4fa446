/**
 * `switchboard run` against an Asterisk that is not there, silent, or refusing our password
 * (issue 11 items 1, 4, 5, 7): the controller waits and retries with one log line per try,
 * /healthz is red with the reason, it connects when Asterisk comes, and SIGTERM stops it for good.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { startCli, type Child } from '../support/child.js';
import { waitFor } from '../support/wait.js';

const USER = 'switchboard';
const PASSWORD = 'pbx-away';

/** A port nobody listens on (bound, then released). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('switchboard run when Asterisk is away', () => {
  let dir: string;
  let child: Child | null = null;
  const sims: AriSimulator[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-away-'));
  });
  afterEach(async () => {
    child?.proc.kill('SIGKILL');
    child = null;
    for (const s of sims.splice(0)) await s.stop();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (port: number, name: string) => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      stringify({
        ...SCENARIO_CONFIG,
        storage: { sqlite: `${name}.db` },
        asterisk: { url: `http://127.0.0.1:${port}`, username: USER, password: PASSWORD, requestTimeoutMs: 300 },
        http: { listen: '127.0.0.1:0' },
      }),
    );
    child = startCli(['run', '--config', file]);
    return child;
  };
  const healthPort = async (c: Child) => Number(await waitFor(() => /"port":(\d+),"msg":"serving \/metrics/.exec(c.output())?.[1], 10_000, `metrics port; output:\n${c.output()}`));
  const health = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { status: res.status, body: (await res.json()) as { reason?: string } };
  };
  const sim = async (port: number, password = PASSWORD) => {
    const s = await AriSimulator.start({ port, username: USER, password });
    sims.push(s);
    return s;
  };

  it('given nothing listens on the ARI port, then run keeps retrying with /healthz red, and connects when Asterisk starts', async () => {
    const port = await freePort();
    const c = await run(port, 'down');
    await waitFor(() => count(c.output(), 'ARI not reachable; retrying') >= 3 || c.proc.exitCode !== null, 20_000, 'three retries');
    expect(c.proc.exitCode, c.output()).toBeNull();
    const red = await health(await healthPort(c));
    expect(red.status).toBe(503);
    expect(red.body.reason).toContain('ECONNREFUSED');

    const s = await sim(port);
    await waitFor(() => s.connectedApps().includes('switchboard'), 20_000, `connected; output:\n${c.output()}`);
    expect((await health(await healthPort(c))).status).toBe(200);
  });

  it('given the ARI port accepts TCP and never answers, then each try times out and is retried, and run connects once Asterisk answers', async () => {
    const port = await freePort();
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', () => r()));
    const c = await run(port, 'silent');
    try {
      await waitFor(() => count(c.output(), 'ARI not reachable; retrying') >= 2, 20_000, `two timed-out tries; output:\n${c.output()}`);
      expect(c.output()).toContain('no answer in 300 ms');
      expect((await health(await healthPort(c))).status).toBe(503);
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
    const s = await sim(port);
    await waitFor(() => s.connectedApps().includes('switchboard'), 20_000, `connected; output:\n${c.output()}`);
  });

  it('given Asterisk refuses the password, then run says so on every try, /healthz is red with that reason, and nothing crashes', async () => {
    const port = await freePort();
    await sim(port, 'another-password');
    const c = await run(port, 'refused');
    const words = `ARI refused the credentials for user ${USER} (HTTP 401)`;
    await waitFor(() => count(c.output(), words) >= 2 || c.proc.exitCode !== null, 20_000, 'two refusals');
    expect(c.proc.exitCode, c.output()).toBeNull();
    const red = await health(await healthPort(c));
    expect(red).toMatchObject({ status: 503, body: { reason: words } });
    expect(c.output()).not.toMatch(/Uncaught|at .*\.js:\d+/);
  });

  it('given Asterisk starts refusing the password while running, then it is reported, and SIGTERM stops the controller for good', async () => {
    const port = await freePort();
    let s = await sim(port);
    const c = await run(port, 'changed');
    await waitFor(() => s.connectedApps().includes('switchboard'), 20_000, `connected; output:\n${c.output()}`);
    await s.stop();
    sims.length = 0;
    s = await sim(port, 'changed-password');
    await waitFor(() => c.output().includes('(HTTP 401)'), 20_000, `refusal reported; output:\n${c.output()}`);

    c.proc.kill('SIGTERM');
    // Asterisk takes the old password again: a stopped controller must not come back.
    await s.stop();
    sims.length = 0;
    s = await sim(port);
    const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r('still running'), 8000))]);
    expect(code, c.output()).toBe(0);
    const after = c.output().slice(c.output().indexOf('controller stopped'));
    expect(c.output()).toContain('controller stopped');
    expect(after).not.toContain('ARI WebSocket connected');
    expect(after).not.toContain('reconcile failed');
    expect(s.connectedApps()).not.toContain('switchboard');
  });
});
