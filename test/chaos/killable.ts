/**
 * The set-up both SIGKILL tests share: an ARI simulator, a temp folder with a config (one number
 * ringing alice and bob for 60 s, SQLite storage), and the controller run from source as a child
 * process that can be killed and started again on the same store.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { Store } from '../../src/store/index.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { startCli, type Child } from '../support/child.js';
import { waitFor } from '../support/wait.js';

export interface KillableController {
  sim: AriSimulator;
  /** Start a controller process; resolves once it is connected and taking calls. */
  start(): Promise<Child>;
  /** SIGKILL a controller and await its exit. */
  kill(child: Child): Promise<void>;
  /** The controllers' SQLite store, opened by the test (close it). */
  openStore(): Promise<Store>;
  /** Kill whatever still runs, stop the simulator, remove the folder. */
  stop(): Promise<void>;
}

export async function killableController(name: string): Promise<KillableController> {
  const sim = await AriSimulator.start({ port: 0, username: 'switchboard', password: name });
  const dir = await mkdtemp(join(tmpdir(), `switchboard-${name}-`));
  const configFile = join(dir, 'switchboard.yaml');
  const config = {
    ...SCENARIO_CONFIG,
    numbers: [{ number: '+12025550200', user: 'alice', alsoRing: ['bob'], ringSeconds: 60 }],
    storage: { sqlite: 'calls.db' },
    asterisk: { url: sim.url, username: 'switchboard', password: name },
    http: { listen: '127.0.0.1:0' },
  };
  await writeFile(configFile, stringify(config));
  const children: Child[] = [];
  return {
    sim,
    async start() {
      const child = startCli(['run', '--config', configFile]);
      children.push(child);
      // Logged once the backend is connected: the old process's socket may still look connected.
      await waitFor(() => child.output().includes('controller started'), 20_000, `controller started; output:\n${child.output()}`);
      return child;
    },
    async kill(child) {
      child.proc.kill('SIGKILL');
      await child.exited;
    },
    openStore: () => Store.open(join(dir, 'calls.db')),
    async stop() {
      for (const c of children) c.proc.kill('SIGKILL');
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
