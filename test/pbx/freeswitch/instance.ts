/**
 * One real FreeSWITCH for a test file: `freeswitch -nc -nf -nonat` with every folder in a
 * temporary directory, ESL and SIP on free 127.0.0.1 ports, a random ESL password, the shipped
 * dialplan/freeswitch/ files, placeholder prompts. Stopped (process group killed) and removed
 * at the end, also when a test fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeConf, type ConfOptions } from './conf.js';
import { writePrompts } from './prompts.js';
import { EslClient } from './esl-client.js';
import type { FreeswitchInstall } from './locate.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A port free on 127.0.0.1 for TCP and UDP (SIP uses both): ask the OS, then release it. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

export interface InstanceOptions {
  /** The controller's listener port (the shipped `socket` action connects there). */
  socketPort: number;
  extraUsers?: string[];
  maxRecordSeconds?: number;
  extraFiles?: ConfOptions['extraFiles'];
  multipleRegistrations?: boolean;
  /** Start deadline (FreeSWITCH loads its modules in a few seconds). */
  startMs?: number;
}

/** Every folder `freeswitch` lets us move (its -help), each into the instance directory. */
const FOLDERS = ['conf', 'log', 'db', 'run', 'storage', 'recordings', 'sounds', 'temp', 'cache', 'certs', 'scripts', 'grammar', 'htdocs'];

export class FreeswitchInstance {
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private constructor(
    readonly dir: string,
    readonly eslPort: number,
    readonly eslPassword: string,
    readonly sipPort: number,
    readonly userPassword: string,
  ) {}

  static async start(install: FreeswitchInstall, o: InstanceOptions): Promise<FreeswitchInstance> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-freeswitch-'));
    const inst = new FreeswitchInstance(dir, await freePort(), randomBytes(12).toString('hex'), await freePort(), randomBytes(8).toString('hex'));
    try {
      for (const f of FOLDERS) fs.mkdirSync(path.join(dir, f), { recursive: true });
      writeConf({
        from: install.conf,
        to: path.join(dir, 'conf'),
        repo: REPO,
        eslPort: inst.eslPort,
        eslPassword: inst.eslPassword,
        sipPort: inst.sipPort,
        socketPort: o.socketPort,
        extraUsers: o.extraUsers ?? [],
        userPassword: inst.userPassword,
        maxRecordSeconds: o.maxRecordSeconds ?? 4,
        extraFiles: o.extraFiles,
        multipleRegistrations: o.multipleRegistrations,
      });
      writePrompts(path.join(dir, 'sounds/en/us/callie'));
      // A fresh certs folder makes FreeSWITCH generate its DTLS/WSS keys at start-up: about 15 s on
      // a busy 2-core machine. They are test keys on loopback: make them once, reuse them.
      const certCache = path.join(os.tmpdir(), 'switchboard-freeswitch-certs');
      if (fs.existsSync(path.join(certCache, 'dtls-srtp.pem'))) fs.cpSync(certCache, path.join(dir, 'certs'), { recursive: true });
      inst.spawn(install);
      await inst.waitReady(o.startMs ?? 60_000);
      if (!fs.existsSync(path.join(certCache, 'dtls-srtp.pem'))) fs.cpSync(path.join(dir, 'certs'), certCache, { recursive: true });
      return inst;
    } catch (err) {
      const log = inst.logTail();
      await inst.stop();
      throw new Error(`FreeSWITCH did not start: ${(err as Error).message}\n${log}`);
    }
  }

  private spawn(install: FreeswitchInstall): void {
    const d = (f: string) => path.join(this.dir, f);
    const args = ['-nc', '-nf', '-nonat', '-np', '-mod', install.modules];
    for (const f of FOLDERS) args.push(`-${f}`, d(f));
    const out = fs.openSync(d('log/stdout.log'), 'a');
    this.proc = spawn(install.binary, args, {
      cwd: this.dir,
      detached: true, // its own process group: teardown kills everything it started
      stdio: ['ignore', out, out],
      env: { ...process.env, LD_LIBRARY_PATH: [install.libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') },
    });
    fs.closeSync(out);
    const proc = this.proc;
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
  }

  /** Poll ESL (auth, `status`, the sofia profile) until FreeSWITCH is ready, or throw at the deadline. */
  private async waitReady(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    let last = 'no ESL yet';
    let dead = false;
    void this.exited.then(() => (dead = true));
    while (Date.now() < deadline) {
      if (dead) throw new Error('freeswitch exited during start-up');
      try {
        const c = await EslClient.connect(this.eslPort, this.eslPassword, 2000);
        try {
          const status = await c.api('status');
          const sofia = await c.api('sofia status');
          if (/is ready/.test(status) && /internal\s+profile\s.*RUNNING/.test(sofia)) return;
          last = `status: ${JSON.stringify(status.slice(0, 300))}; sofia: ${JSON.stringify(sofia.slice(0, 400))}`;
          if (process.env.FS_DEBUG) console.error(Date.now(), last);
        } finally {
          c.close();
        }
      } catch (err) {
        last = (err as Error).message;
        if (process.env.FS_DEBUG) console.error(Date.now(), last);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`not ready after ${ms} ms (${last})`);
  }

  /** A new authenticated ESL connection (the caller closes it). */
  esl(): Promise<EslClient> {
    return EslClient.connect(this.eslPort, this.eslPassword, 5000);
  }

  /** Where mod_voicemail stores the messages of `mailbox` in the 127.0.0.1 domain. */
  mailboxDir(mailbox: string): string {
    return path.join(this.dir, 'storage/voicemail/default/127.0.0.1', mailbox);
  }

  logTail(lines = 40): string {
    for (const f of ['log/freeswitch.log', 'log/stdout.log']) {
      try {
        const all = fs.readFileSync(path.join(this.dir, f), 'utf8').split('\n');
        return all.slice(-lines).join('\n');
      } catch {
        /* not written yet */
      }
    }
    return '(no FreeSWITCH log)';
  }

  /** SIGTERM the process group, SIGKILL after 1.5 s (a clean sofia shutdown takes ~5 s; nothing here needs it), then remove the folder (kept with SWITCHBOARD_KEEP_PBX=1). */
  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.pid) {
      try {
        process.kill(-p.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const killed = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1500))]);
      if (!killed) {
        try {
          process.kill(-p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await this.exited;
      }
    }
    this.proc = null;
    if (process.env.SWITCHBOARD_KEEP_PBX === '1') process.stderr.write(`kept FreeSWITCH folder ${this.dir}\n`);
    else fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
