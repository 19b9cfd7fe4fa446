/**
 * `switchboard run` on PostgreSQL (spec section 10), as a real process against the Asterisk
 * simulator and a private PostgreSQL: a second live controller with the same node name stops with
 * a clear error; PostgreSQL stopped during calls leaves calls routing, /healthz saying the store
 * is down, /metrics counting the queue; restarted, every call's row is there, naming its node.
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
});
