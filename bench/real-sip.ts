/**
 * `BENCH_REAL_FLOWS=asterisk-sip npm run bench -- real`: the real-SIP variant of the Asterisk
 * benchmark (issue 13), what production looks like. SIPp is the carrier: it sends INVITEs into the
 * PJSIP trunk at a fixed rate (open loop, `-r`), one per call, to one of the bench site's 50 numbers,
 * talks 1 s once answered and sends BYE. The 50 desk phones are real PJSIP endpoints registered with
 * digest auth, all with their Contact at one SIPp UAS that answers every INVITE at once. The static
 * flow comes in on a second carrier address whose context `Dial()`s the desk; the Switchboard flow
 * on the shipped trunk (Stasis, the controller routes it). Latency is SIPp's own response time from
 * the INVITE to the 200 OK (`-trace_rtt`): the desk answers at once, so it is the setup time.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsteriskInstance, freeUdpPort } from '../test/pbx/asterisk/instance.js';
import { Sipp } from '../test/pbx/asterisk/sipp.js';
import { locateAsterisk } from '../test/pbx/support/locate.js';
import { REPO_ROOT } from '../test/support/shared.js';
import { Child } from './load-ipc.js';
import { calledNumber, callerNumber, deskOf, USERS } from './load-config.js';
import { printLadder, printTraffic, runLadder } from './real-ladder.js';
import type { FlowStep } from './real-stats.js';
import { measureStep } from './real-step.js';
import { startAsteriskController } from './real-asterisk.js';

const say = (s: string): void => void process.stdout.write(`${s}\n`);
const STATIC = 'static Dial()';
const SWITCHBOARD = 'Switchboard';

/** The desk of number i is extension 1000 + i; the number ends in 0100 + i. */
const STATIC_SIP_DIALPLAN = `
[bench-static-sip]
exten => _+X.,1,Dial(PJSIP/\${MATH(\${EXTEN:-4}+900,int)})
 same => n,Hangup()
`;

function staticCarrier(sourcePort: number): string {
  return `
[carrier-static]
type = endpoint
transport = transport-udp
context = bench-static-sip
disallow = all
allow = ulaw,alaw
direct_media = no
media_address = 127.0.0.1
bind_rtp_to_media_address = yes
[carrier-static]
type = identify
endpoint = carrier-static
match = 127.0.0.1:${sourcePort}
`;
}

class SipBench {
  private constructor(
    readonly inst: AsteriskInstance,
    readonly pid: number,
    readonly ports: { switchboard: number; static: number },
    private readonly sipp: Sipp,
  ) {}

  static async start(install: Exclude<ReturnType<typeof locateAsterisk>, { missing: string }>): Promise<SipBench> {
    const passwords = Object.fromEntries(Array.from({ length: USERS }, (_, i) => [deskOf(i), `pw-${i}-${Math.random().toString(36).slice(2)}`]));
    const ports = { switchboard: await freeUdpPort(), static: await freeUdpPort() };
    const inst = await AsteriskInstance.start(install, { sipPhones: passwords, carrierSourcePort: ports.switchboard, extraDialplan: STATIC_SIP_DIALPLAN });
    const sipp = new Sipp(inst.dir, inst);
    try {
      appendFileSync(join(inst.dir, 'etc/pjsip.conf'), staticCarrier(ports.static));
      writeFileSync(join(inst.dir, 'etc/logger.conf'), '[general]\n[logfiles]\nmessages.log => notice,warning,error\n');
      await inst.cli('logger reload');
      await inst.cli('core set verbose 0');
      await inst.cli('module reload res_pjsip.so');
      const desk = await sipp.phone('answer', 0);
      for (const [ext, pw] of Object.entries(passwords)) await sipp.register(ext, pw, desk.port);
      const pid = Number(readFileSync(join(inst.dir, 'run/asterisk.pid'), 'utf8').trim());
      return new SipBench(inst, pid, ports, sipp);
    } catch (err) {
      await sipp.stop();
      await inst.stop();
      throw err;
    }
  }

  /**
   * One SIPp carrier run: `rate` calls a second for `seconds`, from `sourcePort`; resolves with
   * each answered call's INVITE-to-200 time (ms) once SIPp has ended every call.
   */
  async carrier(sourcePort: number, rate: number, seconds: number): Promise<{ placed: number; latencies: number[] }> {
    const dir = mkdtempSync(join(tmpdir(), 'sb-sipbench-'));
    try {
      const total = Math.round(rate * seconds);
      const lines = Array.from({ length: USERS }, (_, i) => `${calledNumber(i)};${callerNumber(i)}`);
      writeFileSync(join(dir, 'calls.csv'), `SEQUENTIAL\n${lines.join('\n')}\n`);
      const args = [
        `127.0.0.1:${this.inst.sipPort}`, '-sf', join(REPO_ROOT, 'bench/sipp/carrier-load.xml'), '-inf', join(dir, 'calls.csv'),
        '-i', '127.0.0.1', '-p', String(sourcePort), '-mi', '127.0.0.1', '-mp', String(await freeUdpPort()),
        '-r', String(rate), '-rp', '1000', '-m', String(total), '-l', '10000', '-d', '1000',
        '-trace_rtt', '-rtt_freq', '1', '-timeout', `${seconds + 60}s`, '-nostdin',
      ];
      // In its own folder: the rtt file lands there. -timeout ends it whatever happens.
      const code = await new Promise<number | null>((resolve, reject) => {
        const p = spawn('sipp', args, { cwd: dir, stdio: 'ignore', detached: true });
        p.once('error', reject);
        p.once('exit', resolve);
      });
      const rtt = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
      const latencies: number[] = [];
      if (rtt) {
        for (const line of readFileSync(join(dir, rtt), 'utf8').split('\n').slice(1)) {
          const ms = Number(line.split(';')[1]);
          if (line && Number.isFinite(ms)) latencies.push(ms);
        }
      }
      if (code !== 0 && code !== 1) say(`    (SIPp exited with ${code})`);
      return { placed: total, latencies };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async channelCount(): Promise<number> {
    const res = await this.inst.ari('GET', '/channels');
    return res.status === 200 && Array.isArray(res.body) ? res.body.length : -1;
  }

  async stop(): Promise<void> {
    await this.sipp.stop();
    await this.inst.stop();
  }
}

/** One step of one flow (real-step.ts): SIPp places the calls and times each INVITE to its 200 OK. */
function sipStep(b: SipBench, ctl: Child, flow: string, rate: number, seconds: number): Promise<FlowStep> {
  let latencies: number[] = [];
  return measureStep(ctl, {
    flow, rate, pid: b.pid, routed: flow === SWITCHBOARD, ariTraffic: true,
    place: async () => {
      const r = await b.carrier(flow === STATIC ? b.ports.static : b.ports.switchboard, rate, seconds);
      latencies = r.latencies;
      return r.placed;
    },
    channelCount: () => b.channelCount(),
    latencies: () => latencies,
  });
}

export async function runAsteriskSip(o: { start: number; step: number; max: number; seconds: number }): Promise<void> {
  const install = locateAsterisk();
  if ('missing' in install) return say(`asterisk-sip: skipped (${install.missing})`);
  const b = await SipBench.start(install);
  let ctl: Child | null = null;
  try {
    ctl = await startAsteriskController(b.inst, 'PJSIP/{endpoint}');
    const c = ctl;
    say(`asterisk-sip: Asterisk pid ${b.pid}, ${USERS} desk phones registered (one SIPp UAS, answers at once), SIPp carrier, ${o.seconds} s per rate, 1 s talk`);
    say('warm-up: 2 s at 20/s of each flow (not reported)');
    await sipStep(b, c, STATIC, 20, 2);
    await sipStep(b, c, SWITCHBOARD, 20, 2);
    const flows = [STATIC, SWITCHBOARD];
    const steps = await runLadder({ start: o.start, step: o.step, max: o.max, reference: STATIC, flows, run: (flow, rate) => sipStep(b, c, flow, rate, o.seconds) });
    printLadder(steps, { reference: STATIC, flows });
    const first = steps.find((s) => s.flow === SWITCHBOARD);
    if (first) printTraffic(first);
  } finally {
    await ctl?.stop().catch(() => undefined);
    await b.stop();
  }
}
