/**
 * `npm run bench -- real` on a real Asterisk (Local-channel variant): inbound calls are placed by
 * ARI originates of `Local/<number>@<context>` at a fixed rate (open loop), either into
 * [bench-static] (a plain `Dial()` of the desk) or into the shipped [from-trunk] (Stasis: the
 * controller routes it). The desk is `Local/<ext>@bench-desk`: it logs the wall-clock time it
 * starts (with the call's linkedid), answers at once and hangs up after 1 s. Latency is that time
 * minus the time the bench sent the inbound originate.
 */
import http from 'node:http';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AsteriskInstance } from '../test/pbx/asterisk/instance.js';
import type { AsteriskInstall } from '../test/pbx/support/locate.js';
import { eventFilterBody } from '../src/backend/asterisk/event-filter.js';
import { Child } from './load-ipc.js';
import { perfRecord } from './real-perf.js';
import { calledNumber, callerNumber } from './load-config.js';
import { LogTail, wallMs, type FlowStep } from './real-stats.js';
import { measureStep, openLoopCalls } from './real-step.js';

export const BENCH_DIALPLAN = `
[bench-static]
exten => _+X.,1,Dial(Local/\${EXTEN:-4}@bench-desk)
 same => n,Hangup()

[bench-desk]
exten => _X.,1,Log(NOTICE,sbdesk \${CHANNEL(linkedid)} \${STRFTIME(,,%s.%6q)})
 same => n,Answer()
 same => n,Wait(1)
 same => n,Hangup()

[bench-caller]
exten => wait,1,Wait(30)
 same => n,Hangup()
`;

export class AsteriskBench {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private log: LogTail | null = null;
  private seq = 0;
  pid = 0;

  private constructor(readonly inst: AsteriskInstance) {}

  static async start(install: AsteriskInstall): Promise<AsteriskBench> {
    const inst = await AsteriskInstance.start(install);
    const b = new AsteriskBench(inst);
    try {
      appendFileSync(join(inst.dir, 'etc/extensions.conf'), BENCH_DIALPLAN);
      // Only notices reach the log: at hundreds of calls a second, verbose dialplan tracing
      // would be most of what Asterisk does.
      writeFileSync(join(inst.dir, 'etc/logger.conf'), '[general]\ndateformat = %F %T.%3q\n[logfiles]\nmessages.log => notice,warning,error\n');
      await inst.cli('logger reload');
      await inst.cli('core set verbose 0');
      await inst.cli('dialplan reload');
      b.pid = Number(readFileSync(join(inst.dir, 'run/asterisk.pid'), 'utf8').trim());
      b.log = new LogTail(join(inst.dir, 'log/messages.log'));
    } catch (err) {
      await inst.stop();
      throw err;
    }
    return b;
  }

  /** The `sbdesk` lines written since the last call: linkedid -> wall-clock ms. */
  deskStarts(): Map<string, number> {
    const text = this.log!.read();
    const out = new Map<string, number>();
    for (const m of text.matchAll(/sbdesk (\S+) (\d+\.\d+)/g)) out.set(m[1]!, Number(m[2]) * 1000);
    return out;
  }

  private request(method: string, path: string): Promise<{ status: number; body: string }> {
    const auth = Buffer.from(`${this.inst.ariUser}:${this.inst.ariPassword}`).toString('base64');
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.inst.ariUrl}/ari${path}`, { method, agent: this.agent, headers: { authorization: `Basic ${auth}` }, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** Place one inbound call into `context`; resolves with the time it was sent (wall ms) and its id. */
  async place(context: string, n: number): Promise<{ id: string; sentAt: number; ok: boolean }> {
    const id = `bench-${process.pid}-${++this.seq}`;
    const q = new URLSearchParams({
      endpoint: `Local/${calledNumber(n)}@${context}`, context: 'bench-caller', extension: 'wait', priority: '1',
      channelId: id, otherChannelId: `${id}-in`, callerId: callerNumber(n), timeout: '30',
    });
    const sentAt = wallMs();
    const res = await this.request('POST', `/channels?${q}`).catch(() => ({ status: 0, body: '' }));
    return { id, sentAt, ok: res.status === 200 };
  }

  async channelCount(): Promise<number> {
    const res = await this.request('GET', '/channels');
    return res.status === 200 ? (JSON.parse(res.body) as unknown[]).length : -1;
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await this.inst.stop();
  }
}

/**
 * The controller process against a real Asterisk, dialling desks with `endpoint` (a template):
 * resolves once its Stasis app is registered (ready to take calls), or throws after 10 s.
 */
export async function startAsteriskController(inst: AsteriskInstance, endpoint: string, execArgv: string[] = []): Promise<Child> {
  const ctl = await Child.start('controller', 'controller-process.ts', {
    execArgv,
    readyArgs: { url: inst.ariUrl, real: { username: inst.ariUser, password: inst.ariPassword, endpoints: { asterisk: endpoint } } },
  });
  try {
    const deadline = Date.now() + 10_000;
    while ((await inst.ari('GET', '/applications/switchboard')).status !== 200) {
      if (Date.now() > deadline) throw new Error('the controller did not register Stasis app switchboard');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await ctl.stop().catch(() => undefined);
    throw err;
  }
  return ctl;
}

export type AsteriskFlow = 'static Dial()' | 'Switchboard' | 'Switchboard, every event';

/**
 * One step of one flow (real-step.ts). 'Switchboard, every event' clears the app's event filter
 * for the step: the controller as it was before src/backend/asterisk/event-filter.ts, for a
 * side-by-side figure.
 */
export async function asteriskStep(b: AsteriskBench, ctl: Child, flow: AsteriskFlow, rate: number, seconds: number): Promise<FlowStep> {
  const context = flow === 'static Dial()' ? 'bench-static' : 'from-trunk';
  const unfiltered = flow === 'Switchboard, every event';
  if (unfiltered) await b.inst.ari('PUT', '/applications/switchboard/eventFilter', {}, {});
  const perf = Number(process.env.BENCH_REAL_PERF) === rate ? perfRecord(b.pid, `Asterisk during ${flow} at ${rate}/s`) : null;
  const calls = openLoopCalls(rate, seconds, async (n) => {
    const r = await b.place(context, n);
    return { key: r.id, sentAt: r.sentAt, ok: r.ok };
  });
  const step = await measureStep(ctl, {
    flow, rate, pid: b.pid, routed: flow !== 'static Dial()', ariTraffic: true,
    place: () => {
      b.deskStarts(); // forget what the desk logged before
      return calls.place();
    },
    channelCount: () => b.channelCount(),
    drained: async () => {
      if (perf) process.stdout.write(`${await perf.stop()}\n`);
    },
    latencies: () => {
      const starts = b.deskStarts();
      return [...calls.sent].flatMap(([id, at]) => (starts.has(id) ? [starts.get(id)! - at] : []));
    },
  });
  if (unfiltered) await b.inst.ari('PUT', '/applications/switchboard/eventFilter', {}, eventFilterBody());
  return step;
}
