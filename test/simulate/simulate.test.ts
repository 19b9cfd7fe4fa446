/**
 * `switchboard simulate` end to end: the ARI simulator plays Asterisk, the real controller takes the
 * calls and writes the call log to a SQLite FILE, and simulate (using only ARI and that file, as
 * against a real Asterisk) places the scenario calls and reports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateCommand } from '../../src/cli/simulate.js';
import { loadConfig } from '../../src/config/load.js';
import { Controller } from '../../src/controller.js';
import { silentLogger } from '../../src/log.js';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import type { JsonResult } from '../../src/simulate/report.js';
import { REPO_ROOT } from '../support/shared.js';

const FIXTURES = resolve(REPO_ROOT, 'test/fixtures/simulate');
const CONFIG = join(FIXTURES, 'switchboard.yaml');
const PASSWORD = 'test-secret';

function capture(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return Object.assign(w, { text: () => chunks.join('') });
}

describe('switchboard simulate against the ARI simulator and the controller', () => {
  let sim: AriSimulator;
  let controller: Controller;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  async function simulate(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const stdout = capture();
    const stderr = capture();
    const code = await simulateCommand(['--config', CONFIG, '--ari', sim.url, ...args], { stdout, stderr, env, cwd: FIXTURES });
    return { code, out: stdout.text(), err: stderr.text() };
  }

  beforeAll(async () => {
    // Given a simulated Asterisk whose phones behave like the docker harness's ...
    sim = await AriSimulator.start({ port: 0, username: 'switchboard', password: PASSWORD, voicemailMaxMs: 300 });
    sim.setDevice('PJSIP/1001', { kind: 'answer', afterMs: 100 });
    sim.setDevice('PJSIP/1002', { kind: 'busy' });
    sim.setDevice('PJSIP/1003', { kind: 'noanswer' });
    sim.setDevice('PJSIP/+12025550300@carrier', { kind: 'answer', afterMs: 100 });
    sim.setDevice('PJSIP/+12025550100@carrier', { kind: 'answer', afterMs: 100 });
    // ... and the controller writing its call log to a file, as in production.
    dir = mkdtempSync(join(tmpdir(), 'switchboard-simulate-'));
    env = { ARI_URL: sim.url, ARI_PASSWORD: PASSWORD, CALL_LOG: join(dir, 'calls.db') };
    controller = await Controller.start({ loaded: await loadConfig(CONFIG, env), log: silentLogger() });
  });

  afterAll(async () => {
    await controller?.stop(1000);
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('given the routing chain, when simulated as a table, then every call is reported ok and it exits 0', async () => {
    const { code, out, err } = await simulate('--calls', 'calls.yaml', '--timeout', '15');
    expect(err).not.toMatch(/FAIL/);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^name\s+to\s+from\s+rules\s+legs\s+answeredBy\s+outcome\s+result$/);
    const row = (name: string) => lines.find((l) => l.startsWith(name)) ?? '';
    expect(row('number-user answered')).toMatch(/number-user\s+alice\/desk:answered\s+alice\/desk\s+answered\s+ok$/);
    expect(row('busy goes to voicemail')).toMatch(/bob\/desk:busy\s+-\s+voicemail\s+ok$/);
    expect(row('no answer falls through')).toMatch(/number-user,forwarding\s+carol\/desk:no-answer -\/forward:answered\s+-\/forward\s+answered\s+ok$/);
    expect(row('unknown number')).toMatch(/anonymous\s+company\s+-\/company:answered\s+-\/company\s+answered\s+ok$/);
    expect(row('caller hangs up')).toMatch(/carol\/desk:cancelled\s+-\s+abandoned\s+ok$/);
    expect(out).toContain('5 calls: all as expected');
  }, 30_000);

  it('given the routing chain, when simulated with --json, then each entry holds the call-log row under the ;2 channel id', async () => {
    const { code, out } = await simulate('--calls', 'calls.yaml', '--timeout', '15', '--json');
    expect(code).toBe(0);
    const results = JSON.parse(out) as JsonResult[];
    expect(results.map((r) => [r.name, r.record?.outcome, r.expectation])).toEqual([
      ['number-user answered', 'answered', { ok: true, mismatches: [] }],
      ['busy goes to voicemail', 'voicemail', { ok: true, mismatches: [] }],
      ['no answer falls through to forwarding', 'answered', { ok: true, mismatches: [] }],
      ['unknown number goes to the company phone', 'answered', { ok: true, mismatches: [] }],
      ['caller hangs up while carol rings', 'abandoned', { ok: true, mismatches: [] }],
    ]);
    for (const r of results) expect(r.record?.id).toBe(r.callId);
  }, 30_000);

  it('given a scenario whose expectation does not hold, when simulated, then it exits 1 naming the mismatch', async () => {
    const { code, out } = await simulate('--calls', 'failing.yaml', '--timeout', '10');
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL: outcome: expected voicemail, got answered$/m);
    expect(out).not.toMatch(/answeredBy: expected/);
    expect(out).toContain('1 calls: 1 FAILED');
  }, 20_000);

  it('given a scenario file with a misspelt key, when simulated, then it exits 2 naming the file, line and key', async () => {
    const { code, out, err } = await simulate('--calls', 'bad-key.yaml');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('bad-key.yaml:6: calls[0].expect.outcom: unknown key "outcom" (did you mean "outcome"?)');
  });

  it('given nothing listening at --ari, when simulated, then it exits 2 with one clear line', async () => {
    const port = await freePort();
    const stdout = capture();
    const stderr = capture();
    const code = await simulateCommand(['--config', CONFIG, '--ari', `http://127.0.0.1:${port}`, '--calls', 'calls.yaml'], { stdout, stderr, env, cwd: FIXTURES });
    expect(code).toBe(2);
    expect(stderr.text()).toMatch(new RegExp(`^switchboard simulate: cannot reach ARI at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED\\n$`));
    expect(stdout.text()).toBe('');
  });

  it('given wrong ARI credentials, when simulated, then it exits 2 saying so', async () => {
    const { code, err } = await simulate('--calls', 'calls.yaml', '--password', 'wrong');
    expect(code).toBe(2);
    expect(err).toMatch(/refused the credentials \(HTTP 401\)/);
  });
});

/** A port nobody listens on: bind an ephemeral one, then close it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
