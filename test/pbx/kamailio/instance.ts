/**
 * A real Kamailio for one test file, running the shipped deploy/kamailio/kamailio.cfg: a
 * temporary folder with the generated dispatcher.list and carriers.list and the ctl socket, SIP on
 * a free 127.0.0.1 port, every site setting given with -A as docs/kamailio.md tells an admin to.
 * `start` returns once the RPC answers; `stop` ends its process group (and the health watcher's)
 * and removes the folder.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../support/shared.js';
import { waitFor } from '../../support/wait.js';
import { freeUdpPort } from '../asterisk/instance.js';
import type { KamailioInstall } from './locate.js';

const run = promisify(execFile);
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy/kamailio');

export interface KamailioNode {
  /** The node's SIP address: its Asterisk's PJSIP transport. */
  sipPort: number;
  duid: string;
  /** Its controller's /healthz, for health-watch.sh. */
  health?: string;
}

export interface KamailioOptions {
  nodes: KamailioNode[];
  /** The allowed carriers' source ports on 127.0.0.1 (the allow list). */
  carrierPorts: number[];
  /** SIP port to listen on; a free one by default. */
  port?: number;
  siteNumbers?: string;
  pingInterval?: number;
  frTimerMs?: number;
  pikeDensity?: number;
  keep?: boolean;
}

/** Every live process, so that a crashing test process still takes them down. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) if (p.pid) try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ }
});

function spawnGroup(cmd: string, args: string[], log: string, env: NodeJS.ProcessEnv = process.env): { proc: ChildProcess; exited: Promise<number | null> } {
  const out = openSync(log, 'a');
  // detached: its own process group, so that stop() ends Kamailio and every child it forked.
  const proc = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out], env });
  closeSync(out);
  live.add(proc);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, exited };
}

async function killGroup(p: { proc: ChildProcess; exited: Promise<number | null> }): Promise<void> {
  const pid = p.proc.pid;
  if (pid && p.proc.exitCode === null && p.proc.signalCode === null) {
    try { process.kill(-pid, 'SIGTERM'); } catch { /* gone */ }
    const done = await Promise.race([p.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5000).unref())]);
    if (!done) try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
    await p.exited;
  }
  if (pid) try { process.kill(-pid, 'SIGKILL'); } catch { /* none left */ }
  live.delete(p.proc);
}

export class KamailioInstance {
  private watcher: { proc: ChildProcess; exited: Promise<number | null> } | null = null;

  private constructor(
    readonly install: KamailioInstall,
    readonly dir: string,
    readonly sipPort: number,
    private readonly main: { proc: ChildProcess; exited: Promise<number | null> },
    private readonly keep: boolean,
  ) {}

  /** Kamailio's main process: its workers share its process group. */
  get pid(): number | undefined { return this.main.proc.pid; }
  get ctl(): string { return `unix:${join(this.dir, 'kamailio_ctl')}`; }
  get dispatcherList(): string { return join(this.dir, 'dispatcher.list'); }
  /** The dispatcher URI of a node. */
  static nodeUri(sipPort: number): string { return `sip:127.0.0.1:${sipPort}`; }

  static async start(install: KamailioInstall, opts: KamailioOptions): Promise<KamailioInstance> {
    const dir = mkdtempSync(join(tmpdir(), 'sb-kam-'));
    const port = opts.port ?? (await freeUdpPort());
    writeFileSync(join(dir, 'dispatcher.list'), opts.nodes.map((n) => `1 ${KamailioInstance.nodeUri(n.sipPort)} 0 0 duid=${n.duid}${n.health ? `;health=${n.health}` : ''}\n`).join(''));
    writeFileSync(join(dir, 'carriers.list'), opts.carrierPorts.map((p, i) => `1 127.0.0.1 32 ${p} carrier-${i}\n`).join(''));
    const defines: Record<string, string> = {
      SIP_LISTEN: `udp:127.0.0.1:${port}`,
      DISPATCHER_LIST: JSON.stringify(join(dir, 'dispatcher.list')),
      CARRIERS_LIST: JSON.stringify(join(dir, 'carriers.list')),
      CTL_SOCKET: JSON.stringify(`unix:${join(dir, 'kamailio_ctl')}`),
      PING_INTERVAL: String(opts.pingInterval ?? 1),
      PROBING_THRESHOLD: '1',
      FR_TIMER_MS: String(opts.frTimerMs ?? 1500),
      CHILDREN: '2',
      ...(opts.siteNumbers ? { SITE_NUMBERS: JSON.stringify(opts.siteNumbers) } : {}),
      ...(opts.pikeDensity ? { PIKE_DENSITY: String(opts.pikeDensity) } : {}),
    };
    // -DD: stay in the foreground (our child); -E: log to stderr (the log file); -w: core files
    // and relative paths in the folder; 64 MB of shared memory is plenty for a test.
    const args = ['-DD', '-E', '-f', join(DEPLOY_DIR, 'kamailio.cfg'), '-w', dir, '-m', '64', '-M', '8', ...Object.entries(defines).flatMap(([k, v]) => ['-A', `${k}=${v}`])];
    const main = spawnGroup(install.binary, args, join(dir, 'kamailio.log'));
    const inst = new KamailioInstance(install, dir, port, main, opts.keep ?? process.env.SWITCHBOARD_KEEP_PBX === '1');
    try {
      let gone = false;
      void main.exited.then(() => (gone = true));
      await waitFor(async () => {
        if (gone) throw new Error('Kamailio exited while starting');
        return (await inst.rpc('core.uptime').catch(() => '')).includes('uptime');
      }, 20_000, 'Kamailio RPC answering');
    } catch (err) {
      const log = inst.logTail(40);
      await inst.stop();
      throw new Error(`${(err as Error).message}\n--- Kamailio log ---\n${log}`);
    }
    return inst;
  }

  /** One RPC through kamcmd on the ctl socket. */
  async rpc(...args: string[]): Promise<string> {
    const { stdout } = await run(this.install.kamcmd, ['-s', this.ctl, ...args], { timeout: 5000 });
    return stdout;
  }

  /** Each node's dispatcher flags by URI, e.g. { 'sip:127.0.0.1:5071': 'AP' }. */
  async nodeStates(): Promise<Record<string, string>> {
    const out = await this.rpc('dispatcher.list');
    const states: Record<string, string> = {};
    for (const m of out.matchAll(/URI: (\S+)\s+FLAGS: (\S+)/g)) states[m[1]!] = m[2]!;
    return states;
  }

  /** Wait until the node's state starts with `letter` (A active, I inactive, D disabled). */
  async waitNode(sipPort: number, letter: 'A' | 'I' | 'D', ms = 15_000): Promise<void> {
    const uri = KamailioInstance.nodeUri(sipPort);
    let last: Record<string, string> = {};
    await waitFor(async () => (last = await this.nodeStates())[uri]?.startsWith(letter), ms, `node ${uri} in state ${letter}`).catch((err: Error) => {
      throw new Error(`${err.message} (states: ${JSON.stringify(last)})\n${this.logTail(15)}`);
    });
  }

  /** Start deploy/kamailio/health-watch.sh on this instance's dispatcher.list. */
  watchHealth(opts: { intervalS?: number; failures?: number } = {}): void {
    this.watcher = spawnGroup('bash', [join(DEPLOY_DIR, 'health-watch.sh'), this.dispatcherList], join(this.dir, 'health-watch.log'), {
      ...process.env,
      KAMCMD: this.install.kamcmd,
      KAMAILIO_CTL: this.ctl,
      HEALTH_INTERVAL: String(opts.intervalS ?? 0.5),
      HEALTH_FAILURES: String(opts.failures ?? 2),
    });
  }

  /** The last lines of Kamailio's log and the watcher's (for failure messages). */
  logTail(lines = 30): string {
    return ['kamailio.log', 'health-watch.log']
      .map((f) => join(this.dir, f))
      .filter((p) => existsSync(p))
      .map((p) => readFileSync(p, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'))
      .join('\n');
  }

  async stop(): Promise<void> {
    if (this.watcher) await killGroup(this.watcher);
    await killGroup(this.main);
    if (!this.keep) rmSync(this.dir, { recursive: true, force: true });
  }
}
