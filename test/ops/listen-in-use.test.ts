/**
 * `switchboard run --backend freeswitch` when its listen port is taken (issue 11 item 13): one
 * line that says so and exit 1, not an uncaught error with a stack trace.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { startCli } from '../support/child.js';

describe('switchboard run with the FreeSWITCH listen port in use', () => {
  let dir: string;
  let taken: net.Server;
  let port: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-inuse-'));
    taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    port = (taken.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => taken.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('given the port is taken, then run prints one line naming it and exits 1', async () => {
    const file = join(dir, 'switchboard.yaml');
    await writeFile(
      file,
      stringify({
        ...SCENARIO_CONFIG,
        backend: 'freeswitch',
        storage: { sqlite: 'calls.db' },
        freeswitch: { listen: `127.0.0.1:${port}`, esl: { host: '127.0.0.1', port: 1, password: 'x' } },
        http: { listen: '127.0.0.1:0' },
      }),
    );
    const c = startCli(['run', '--config', file]);
    const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    if (code === 'still running') c.proc.kill('SIGKILL');
    expect(code, c.output()).toBe(1);
    const stderrLines = c.output().split('\n').filter((l) => l.startsWith('switchboard run:'));
    expect(stderrLines).toEqual([`switchboard run: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}`]);
    expect(c.output()).not.toMatch(/^\s+at /m);
  });
});
