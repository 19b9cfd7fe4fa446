/**
 * SIPp (Debian's sip-tester) playing real SIP devices on loopback: desk phones that register
 * with digest auth and then answer, refuse with 486 / 603 or ring forever, and the carrier
 * that sends INVITEs into the PJSIP trunk. Every process runs in its own process group and is
 * killed on stop(); each writes its SIP messages to a log in `dir` for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/shared.js';
import { freeUdpPort } from './instance.js';

const SCENARIOS = join(REPO_ROOT, 'test/pbx/asterisk/sipp');
export const SIPP = process.env.SWITCHBOARD_SIPP ?? 'sipp';

export type PhoneKind = 'answer' | 'busy' | 'decline' | 'noanswer';

interface Proc {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
  log: string;
}

export class Sipp {
  private readonly procs = new Set<Proc>();
  private n = 0;

  constructor(private readonly dir: string, private readonly asterisk: { sipPort: number }) {}

  private spawn(name: string, args: string[]): Proc {
    const log = join(this.dir, `sipp-${++this.n}-${name}.log`);
    const proc = spawn(SIPP, [...args, '-nostdin', '-trace_msg', '-message_file', log, '-trace_err', '-error_file', `${log}.err`], {
      detached: true,
      stdio: 'ignore',
    });
    const p: Proc = { name, proc, log, exited: new Promise((r) => proc.once('exit', (code) => r(code))) };
    this.procs.add(p);
    void p.exited.then(() => this.procs.delete(p));
    return p;
  }

  /** The SIP messages of a process (for failure messages). */
  static trace(p: { log: string }): string {
    const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').slice(-4000) : '');
    return `${read(p.log) || '(no SIP messages)'}\n${read(`${p.log}.err`)}`;
  }

  private remote(): string {
    return `127.0.0.1:${this.asterisk.sipPort}`;
  }

  private async media(): Promise<string[]> {
    return ['-mi', '127.0.0.1', '-mp', String(await freeUdpPort())];
  }

  /** A phone's UAS on a free port: what it does with every INVITE. `answerAfterMs` for "answer". */
  async phone(kind: PhoneKind, answerAfterMs = 200, port?: number): Promise<{ port: number; stop: () => Promise<void> }> {
    port ??= await freeUdpPort();
    const p = this.spawn(`phone-${kind}-${port}`, ['-sf', join(SCENARIOS, `phone-${kind}.xml`), '-i', '127.0.0.1', '-p', String(port), '-d', String(answerAfterMs), ...(await this.media())]);
    return {
      port,
      stop: async () => {
        if (p.proc.pid) try { process.kill(-p.proc.pid, 'SIGKILL'); } catch { /* gone */ }
        await p.exited;
      },
    };
  }

  /** REGISTER ext (digest auth) with its Contact at `contactPort`; expires 0 unregisters. */
  async register(ext: string, password: string, contactPort: number, expires = 600): Promise<void> {
    const port = await freeUdpPort();
    const p = this.spawn(`register-${ext}`, [
      this.remote(), '-sf', join(SCENARIOS, 'register.xml'), '-i', '127.0.0.1', '-p', String(port), '-m', '1',
      '-au', ext, '-ap', password, '-key', 'ext', ext, '-key', 'contact_port', String(contactPort), '-key', 'expires', String(expires),
      '-timeout', '10s', '-timeout_error', ...(await this.media()),
    ]);
    const code = await p.exited;
    if (code !== 0) throw new Error(`SIPp REGISTER of ${ext} failed (exit ${code}):\n${Sipp.trace(p)}`);
  }

  /** The carrier sends one INVITE for `to` from `from`, talks `talkMs` once answered, then BYE. */
  async carrierCall(c: { to: string; from: string; talkMs: number; sourcePort: number }): Promise<{ done: Promise<number | null>; log: string }> {
    const p = this.spawn(`carrier-${c.to.replace(/\D/g, '')}`, [
      this.remote(), '-sf', join(SCENARIOS, 'carrier-call.xml'), '-i', '127.0.0.1', '-p', String(c.sourcePort), '-m', '1',
      '-s', c.to, '-key', 'from', c.from, '-d', String(c.talkMs), '-timeout', '60s', ...(await this.media()),
    ]);
    return { done: p.exited, log: p.log };
  }

  /** Kill every SIPp process (its whole group) and wait for them. */
  async stop(): Promise<void> {
    const all = [...this.procs];
    for (const p of all) if (p.proc.pid) try { process.kill(-p.proc.pid, 'SIGKILL'); } catch { /* gone */ }
    await Promise.all(all.map((p) => p.exited));
  }
}
