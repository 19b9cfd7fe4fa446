/**
 * deploy/kamailio/health-watch.sh against a stand-in kamcmd (it records each RPC) and stand-in
 * controllers (HTTP servers whose /healthz the test sets): an unhealthy controller's node is
 * disabled, again on every round while it stays so; a healthy one is set inactive-probing (back
 * once its SIP answers); a healthy node from the start is left alone.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';
import { waitFor } from '../support/wait.js';

const SCRIPT = resolve(REPO_ROOT, 'deploy/kamailio/health-watch.sh');

describe('health-watch.sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-hw-'));
  const rpcLog = join(dir, 'rpc.log');
  const status: Record<string, number> = { a: 200, b: 503 };
  const servers: http.Server[] = [];
  const ports: Record<string, number> = {};
  let watcher: ReturnType<typeof spawn>;
  let exited: Promise<number | null>;
  let out = '';

  const rpcs = (): string[] => (existsSync(rpcLog) ? readFileSync(rpcLog, 'utf8').trim().split('\n').filter(Boolean) : []);

  beforeAll(async () => {
    for (const name of ['a', 'b']) {
      const s = http.createServer((req, res) => res.writeHead(req.url === '/healthz' ? status[name]! : 404).end());
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      servers.push(s);
      ports[name] = (s.address() as AddressInfo).port;
    }
    const kamcmd = join(dir, 'kamcmd');
    writeFileSync(kamcmd, `#!/bin/sh\necho "$*" >> ${JSON.stringify(rpcLog)}\necho "Ok. Dispatcher state updated."\n`);
    chmodSync(kamcmd, 0o755);
    const list = join(dir, 'dispatcher.list');
    writeFileSync(list, [
      '# two nodes',
      `1 sip:127.0.0.1:5071 0 0 duid=a;health=http://127.0.0.1:${ports.a}/healthz`,
      `1 sip:127.0.0.1:5072 0 0 duid=b;health=http://127.0.0.1:${ports.b}/healthz;x=y`,
      '1 sip:127.0.0.1:5073 0 0 duid=c',
      '',
    ].join('\n'));
    watcher = spawn('bash', [SCRIPT, list], {
      env: { ...process.env, KAMCMD: kamcmd, KAMAILIO_CTL: 'unix:/nowhere', HEALTH_INTERVAL: '0.1', HEALTH_FAILURES: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    watcher.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    watcher.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    exited = new Promise((r) => watcher.once('exit', (code) => r(code)));
  });

  afterAll(async () => {
    watcher?.kill('SIGKILL');
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a controller answering 503, then its node is disabled, and again on the next rounds', async () => {
    await waitFor(() => rpcs().filter((l) => l === '-s unix:/nowhere dispatcher.set_state d 1 sip:127.0.0.1:5072').length >= 2, 5000, `two "d" RPCs for node b\n${out}`);
    expect(rpcs().every((l) => l.endsWith('sip:127.0.0.1:5072'))).toBe(true);
    expect(out).toContain('sip:127.0.0.1:5072 unhealthy');
  });

  it('given that controller healthy again, then its node is set inactive-probing once, and nothing more', async () => {
    status.b = 200;
    await waitFor(() => rpcs().includes('-s unix:/nowhere dispatcher.set_state ip 1 sip:127.0.0.1:5072'), 5000, `an "ip" RPC for node b\n${out}`);
    // The RPC is made before the line is logged: wait for the line too.
    await waitFor(() => out.includes('healthy again'), 5000, 'the "healthy again" line');
  });

  it('given a controller that stops answering, then after two failed polls its node is disabled', async () => {
    await new Promise((r) => servers[0]!.close(r));
    await waitFor(() => rpcs().includes('-s unix:/nowhere dispatcher.set_state d 1 sip:127.0.0.1:5071'), 5000, `a "d" RPC for node a\n${out}`);
    // Many rounds later, node b (healthy all along since) was set back exactly once, and the
    // node without a health URL was never touched.
    const forB = rpcs().filter((l) => l.endsWith('sip:127.0.0.1:5072'));
    expect(forB.filter((l) => l.includes(' ip '))).toHaveLength(1);
    expect(forB.at(-1)).toContain(' ip ');
    expect(rpcs().some((l) => l.includes(':5073'))).toBe(false);
    expect(out.match(/healthy again/g)).toHaveLength(1);
  });

  it('given SIGTERM, then it stops at once with status 0', async () => {
    watcher.kill('SIGTERM');
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 3000))])).toBe(0);
  });
});
