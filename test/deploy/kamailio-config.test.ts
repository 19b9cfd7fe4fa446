/**
 * The shipped Kamailio configuration (deploy/kamailio/): `kamailio -c` accepts it, with its
 * defaults and with every site setting given on the command line as docs/kamailio.md shows; a
 * broken copy is refused (so the check can fail); the example lists have what the config and
 * the health watcher read.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';
import { describePbx } from '../pbx/support/locate.js';
import { locateKamailio } from '../pbx/kamailio/locate.js';

const run = promisify(execFile);
const DEPLOY = resolve(REPO_ROOT, 'deploy/kamailio');
const CFG = join(DEPLOY, 'kamailio.cfg');
const kamailio = locateKamailio();

/** `kamailio -c -f FILE ARGS`: exit code and output (it reports on stderr). */
async function check(file: string, args: string[] = []): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run((kamailio as { binary: string }).binary, ['-c', '-f', file, ...args], { timeout: 20_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describePbx('the shipped kamailio.cfg', kamailio, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-kamcfg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('given its defaults, then kamailio -c accepts it and it listens on loopback only', async () => {
    const r = await check(CFG, ['-A', `CTL_SOCKET="unix:${join(dir, 'ctl')}"`]);
    expect(r.out).toContain('config file ok');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/udp: 127\.0\.0\.1 \[127\.0\.0\.1\]:5060/);
  });

  it('given the site settings with -A, then it is accepted and binds the address the admin set', async () => {
    const r = await check(CFG, [
      '-A', 'SIP_LISTEN=udp:127.0.0.1:15099',
      '-A', `DISPATCHER_LIST="${join(DEPLOY, 'dispatcher.list')}"`,
      '-A', `CARRIERS_LIST="${join(DEPLOY, 'carriers.list')}"`,
      '-A', `CTL_SOCKET="unix:${join(dir, 'ctl')}"`,
      '-A', 'SITE_NUMBERS="^\\+4930123456[0-9]{2}$"',
      '-A', 'PING_INTERVAL=1', '-A', 'PROBING_THRESHOLD=1', '-A', 'FR_TIMER_MS=1500', '-A', 'PIKE_DENSITY=100', '-A', 'CHILDREN=2',
    ]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/udp: 127\.0\.0\.1 \[127\.0\.0\.1\]:15099/);
    expect(r.out).not.toMatch(/:5060\b/);
  });

  it('given a copy with a syntax error, then kamailio -c refuses it', async () => {
    const broken = join(dir, 'broken.cfg');
    writeFileSync(broken, readFileSync(CFG, 'utf8').replace('record_route();', 'record_route(;'));
    const r = await check(broken);
    expect(r.code).not.toBe(0);
  });
});

it('given the example dispatcher.list, then every node has a duid and a health URL, and the carriers list a group-1 address', () => {
  const lines = (name: string) => readFileSync(join(DEPLOY, name), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const nodes = lines('dispatcher.list').map((l) => l.trim().split(/\s+/));
  expect(nodes.length).toBeGreaterThanOrEqual(2);
  for (const [set, uri, flags, prio, attrs] of nodes) {
    expect([set, flags, prio]).toEqual(['1', '0', '0']);
    expect(uri).toMatch(/^sip:[\d.]+:\d+$/);
    expect(attrs).toMatch(/(^|;)duid=[\w-]+(;|$)/);
    expect(attrs).toMatch(/(^|;)health=http:\/\/[^;]+\/healthz(;|$)/);
  }
  for (const l of lines('carriers.list')) expect(l.trim().split(/\s+/)[0]).toBe('1');
});
