/**
 * A real Asterisk for one test file: a temporary folder holding every folder Asterisk writes
 * (config, spool, run, log, astdb), HTTP/ARI and SIP on free 127.0.0.1 ports, a random ARI
 * password. `start` returns once the PBX is fully booted and ARI answers; `stop` ends its
 * process group and removes the folder. Several may run at once.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { instanceFiles, type InstanceLayout } from './config.js';
import type { AsteriskInstall } from '../support/locate.js';

const run = promisify(execFile);

/** A free TCP port on 127.0.0.1: bind port 0, read it, close. */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A free UDP port on 127.0.0.1. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

/** Every live instance, so that a crashing test process still takes its PBXs down. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) if (p.pid) try { process.kill(-p.pid, 'SIGKILL'); } catch { /* already gone */ }
});

export interface StartOptions {
  sipPhones?: Record<string, string>;
  /** UDP port the trunk's contact points at (the SIP carrier's UAS); a fresh free one by default. */
  carrierPort?: number;
  /** UDP port the SIP carrier's UAC sends from (the trunk's identify match); a fresh free one by default. */
  carrierSourcePort?: number;
  /** More dialplan contexts for extensions.conf. */
  extraDialplan?: string;
  /** Keep the folder after stop (debugging: SWITCHBOARD_KEEP_PBX=1). */
  keep?: boolean;
}

export class AsteriskInstance {
  private exited: Promise<number | null>;
  private constructor(
    readonly install: AsteriskInstall,
    readonly layout: InstanceLayout,
    private proc: ChildProcess,
    private readonly keep: boolean,
  ) {
    this.exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  }

  get dir(): string { return this.layout.dir; }
  get pid(): number | undefined { return this.proc.pid; }
  get ariUrl(): string { return `http://127.0.0.1:${this.layout.httpPort}`; }
  get ariUser(): string { return 'switchboard'; }
  get ariPassword(): string { return this.layout.ariPassword; }
  get sipPort(): number { return this.layout.sipPort; }
  get confFile(): string { return join(this.layout.dir, 'etc/asterisk.conf'); }
  get spoolDir(): string { return join(this.layout.dir, 'spool'); }

  static async start(install: AsteriskInstall, opts: StartOptions = {}): Promise<AsteriskInstance> {
    const dir = mkdtempSync(join(tmpdir(), 'sb-ast-'));
    const layout: InstanceLayout = {
      dir,
      httpPort: await freeTcpPort(),
      sipPort: await freeUdpPort(),
      carrierPort: opts.carrierPort ?? (await freeUdpPort()),
      carrierSourcePort: opts.carrierSourcePort ?? (await freeUdpPort()),
      ariPassword: randomBytes(18).toString('base64url'),
      sipPhones: opts.sipPhones ?? {},
      extraDialplan: opts.extraDialplan ?? '',
    };
    for (const sub of ['etc', 'lib', 'agi', 'spool', 'run', 'log']) mkdirSync(join(dir, sub), { recursive: true });
    for (const [name, text] of Object.entries(instanceFiles(layout, install))) writeFileSync(join(dir, 'etc', name), text);
    const inst = new AsteriskInstance(install, layout, AsteriskInstance.spawnIn(install, dir), opts.keep ?? process.env.SWITCHBOARD_KEEP_PBX === '1');
    await inst.ready();
    return inst;
  }

  private static spawnIn(install: AsteriskInstall, dir: string): ChildProcess {
    const out = openSync(join(dir, 'log/console.log'), 'a');
    // -f: foreground (our child), -n: no colours, -C: this instance's asterisk.conf.
    // detached: its own process group, so stop() can end Asterisk and every child it started.
    const proc = spawn(install.binary, ['-f', '-n', '-C', join(dir, 'etc/asterisk.conf')], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...(install.libDir ? { LD_LIBRARY_PATH: install.libDir } : {}) },
    });
    closeSync(out);
    live.add(proc);
    return proc;
  }

  private async ready(): Promise<void> {
    try {
      await this.waitReady(45_000);
    } catch (err) {
      const log = this.logTail(40);
      await this.stop();
      throw new Error(`${(err as Error).message}\n--- Asterisk log (${this.install.source}) ---\n${log}`);
    }
  }

  /**
   * Stop the process only: its folder, ports and astdb (registrations) stay. SIGKILL (default) is
   * a PBX that dies without a word; SIGTERM a clean stop, which hangs its channels up first.
   */
  async halt(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    await this.endProcess(signal);
  }

  /** Start it again after halt(), in the same folder on the same ports; resolves once ready. */
  async resume(): Promise<void> {
    this.proc = AsteriskInstance.spawnIn(this.install, this.layout.dir);
    this.exited = new Promise((r) => this.proc.once('exit', (code) => r(code)));
    await this.ready();
  }

  /** Fully booted (every module loaded) and ARI answering with our credentials. */
  private async waitReady(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    let gone = false;
    void this.exited.then(() => (gone = true));
    let last = 'not started';
    while (Date.now() < deadline) {
      if (gone) throw new Error('Asterisk exited while starting');
      try {
        await this.cli('core waitfullybooted', 5000);
        const res = await this.ari('GET', '/asterisk/info');
        if (res.status === 200) return;
        last = `ARI answered ${res.status}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Asterisk not ready within ${ms} ms (${last})`);
  }

  /** An Asterisk CLI command on this instance (asterisk -C conf -rx). */
  async cli(command: string, timeoutMs = 10_000): Promise<string> {
    const { stdout } = await run(this.install.binary, ['-C', this.confFile, '-rx', command], {
      timeout: timeoutMs,
      env: { ...process.env, ...(this.install.libDir ? { LD_LIBRARY_PATH: this.install.libDir } : {}) },
    });
    return stdout;
  }

  /** One ARI REST call; `query` values are URL-encoded. */
  async ari(method: string, path: string, query: Record<string, string | number | boolean> = {}, body?: unknown): Promise<{ status: number; body: any }> {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
    const res = await fetch(`${this.ariUrl}/ari${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${this.ariUser}:${this.ariPassword}`).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : ''; } catch { /* not JSON */ }
    return { status: res.status, body: parsed };
  }

  /** The last lines of the instance's log (for failure messages). */
  logTail(lines = 30): string {
    const parts: string[] = [];
    for (const f of ['log/messages.log', 'log/console.log']) {
      const p = join(this.layout.dir, f);
      if (existsSync(p)) parts.push(...readFileSync(p, 'utf8').trimEnd().split('\n').slice(-lines));
    }
    return parts.join('\n');
  }

  /** Stop: SIGTERM to the process group, SIGKILL after 10 s; then remove the folder. */
  async stop(): Promise<void> {
    await this.endProcess();
    if (!this.keep) rmSync(this.layout.dir, { recursive: true, force: true });
  }

  private async endProcess(signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> {
    const pid = this.proc.pid;
    if (pid && this.proc.exitCode === null && this.proc.signalCode === null) {
      try { process.kill(-pid, signal); } catch { /* gone */ }
      const killed = await Promise.race([this.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10_000).unref())]);
      if (!killed) {
        try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
        await this.exited;
      }
    }
    // Anything else left in the group (never expected): end it too.
    if (pid) try { process.kill(-pid, 'SIGKILL'); } catch { /* none left */ }
    live.delete(this.proc);
  }
}
