/**
 * `switchboard run` on PostgreSQL (spec section 10), as a real process against the Asterisk
 * simulator and a private PostgreSQL: a second live controller with the same node name stops with
 * a clear error; PostgreSQL stopped during calls leaves calls routing, /healthz saying the store
 * is down, /metrics counting the queue; restarted, every call's row is there, naming its node.
 * A controller started while PostgreSQL is down waits for it (like for a PBX that is down) and
 * can be stopped meanwhile.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { startCli, type Child } from '../support/child.js';
import { describePostgres, startPostgres, type RunningPostgres } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describePostgres('switchboard run on PostgreSQL (a real process)', () => {
  let sim: AriSimulator;
  let db: RunningPostgres;
  let url: string;
  let dir: string;
  let configFile: string;
  const children: Child[] = [];

  beforeAll(async () => {
    db = await startPostgres();
    url = await db.createDatabase('run_test');
    sim = await AriSimulator.start({ port: 0, username: 'switchboard', password: 'pg-run', failsafe: { companyMailbox: '9000' } });
    dir = await mkdtemp(join(tmpdir(), 'switchboard-pg-run-'));
    configFile = join(dir, 'switchboard.yaml');
    await writeFile(
      configFile,
      stringify({
        ...SCENARIO_CONFIG,
        node: 'ast1',
        numbers: [{ number: '+12025550200', user: 'alice', ringSeconds: 30 }],
        storage: { postgres: '${DATABASE_URL}' },
        asterisk: { url: sim.url, username: 'switchboard', password: 'pg-run' },
        http: { listen: '127.0.0.1:0' },
      }),
    );
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.proc.kill('SIGTERM');
      await c.exited;
    }
  });
  afterAll(async () => {
    await sim?.stop();
    await db?.restart();
    await db?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const c = startCli(['run', '--config', configFile], { DATABASE_URL: url });
    children.push(c);
    await waitFor(() => c.output().includes('controller started'), 20_000, `controller started; output:\n${c.output()}`);
    const port = Number(await waitFor(() => /"port":(\d+),"msg":"serving \/metrics/.exec(c.output())?.[1], 10_000, 'metrics port'));
    return { c, port };
  };

  const oneCall = async (from: string) => {
    const before = sim.originates().length;
    const call = await sim.placeInboundCall({ from, to: '+12025550200' });
    await waitFor(() => sim.bridges().some((b) => b.channels.includes(call.channelId)), 5000, `call from ${from} bridged`);
    await sim.hangup(call.pstnChannelId);
    expect(sim.originates().slice(before).some((o) => o.dial === 'PJSIP/1001')).toBe(true);
    return call;
  };

  it('given a live controller named ast1, when a second one with the same name starts, then it stops at once with a clear error', async () => {
    await start();
    const second = startCli(['run', '--config', configFile], { DATABASE_URL: url });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/switchboard run: node "ast1" is already running/);
  });

  it('given PostgreSQL stops during calls, then calls still route, /healthz says the store is down, and once it is back every row is there', async () => {
    const { port } = await start();
    sim.setDevice('PJSIP/1001', { kind: 'answer', afterMs: 10 });
    const health = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as Promise<{ status: string; store: { up: boolean; queued: number } }>;
    const ids = [(await oneCall('+12025550901')).channelId];
    expect((await health()).store).toMatchObject({ kind: 'postgres', up: true });

    await db.halt();
    ids.push((await oneCall('+12025550902')).channelId);
    ids.push((await oneCall('+12025550903')).channelId);
    const down = await waitFor(async () => {
      const h = await health();
      return h.status === 'store-down' ? h : null;
    }, 10_000, '/healthz to say the store is down');
    expect(down.store.up).toBe(false);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('switchboard_store_up 0');
    expect(Number(/switchboard_store_queued_writes (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);

    await db.restart();
    await waitFor(async () => (await health()).status === 'ok' && (await health()).store.queued === 0, 20_000, 'the queued rows written');
    const reader = await PostgresStore.open(url, { node: 'ast1', log: quiet });
    try {
      const rows = await reader.calls.list({ node: 'ast1' });
      for (const id of ids) expect(rows.find((r) => r.id === id), `row of ${id}`).toMatchObject({ node: 'ast1', outcome: 'answered' });
    } finally {
      await reader.close();
    }
  });
  const count = (text: string, needle: string) => text.split(needle).length - 1;
  const metricsPort = async (c: Child) => Number(await waitFor(() => /"port":(\d+),"msg":"serving \/metrics/.exec(c.output())?.[1], 10_000, `metrics port; output:\n${c.output()}`));

  it('given PostgreSQL is down when run starts, then it waits and retries with /healthz red saying why, and starts once PostgreSQL is back', async () => {
    await db.halt();
    let c: Child;
    try {
      c = startCli(['run', '--config', configFile], { DATABASE_URL: url });
      children.push(c);
      await waitFor(() => count(c.output(), 'PostgreSQL not reachable; retrying') >= 2 || c.proc.exitCode !== null, 20_000, 'two retries');
      expect(c.proc.exitCode, c.output()).toBeNull();
      const port = await metricsPort(c);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; reason: string; store: { up: boolean } };
      expect(body).toMatchObject({ status: 'starting', reason: expect.stringMatching(/^waiting for PostgreSQL: PostgreSQL unreachable: /), store: { kind: 'postgres', up: false } });
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('switchboard_store_up 0');
    } finally {
      await db.restart();
    }
    await waitFor(() => c.output().includes('controller started'), 30_000, `controller started; output:\n${c.output()}`);
    const port = await metricsPort(c);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, 10_000, '/healthz green');
    sim.setDevice('PJSIP/1001', { kind: 'answer', afterMs: 10 });
    await oneCall('+12025550904');
  });

  it('given run waiting for PostgreSQL, when SIGTERM arrives, then it stops at once with status 0', async () => {
    await db.halt();
    try {
      const c = startCli(['run', '--config', configFile], { DATABASE_URL: url });
      children.push(c);
      await waitFor(() => c.output().includes('PostgreSQL not reachable; retrying') || c.proc.exitCode !== null, 20_000, 'a retry');
      c.proc.kill('SIGTERM');
      const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
      expect(code, c.output()).toBe(0);
      expect(c.output()).toContain('stopping before the controller started');
      expect(c.output()).not.toContain('"msg":"controller started"');
    } finally {
      await db.restart();
    }
  });

  it('given a database URL that is wrong rather than unreachable (no such database), then run stops at once with one clear line', async () => {
    const c = startCli(['run', '--config', configFile], { DATABASE_URL: url.replace('/run_test?', '/no_such_db?') });
    children.push(c);
    const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    expect(code, c.output()).toBe(1);
    expect(c.output()).toMatch(/switchboard run: .*"no_such_db" does not exist/);
    expect(c.output()).not.toContain('retrying');
  });
});
