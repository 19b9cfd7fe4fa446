/**
 * `npm run bench -- real` on a real FreeSWITCH: inbound calls are `bgapi originate`s of
 * `loopback/<number>/<context>` at a fixed rate (open loop), either into [bench-static] (a plain
 * `bridge` to the desk) or into the public context, where the shipped switchboard.xml hands the
 * call to the controller with `socket`. Both flows log a notice with the caller's number as the call
 * enters the dialplan; the desk (`loopback/<ext>/bench-desk`) logs one as it starts, answers, and
 * hangs up after 1 s. FreeSWITCH stamps log lines in microseconds: latency is desk minus entry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FreeswitchInstance, freePort } from '../test/pbx/freeswitch/instance.js';
import type { EslClient } from '../test/pbx/freeswitch/esl-client.js';
import type { FreeswitchInstall } from '../test/pbx/freeswitch/locate.js';
import { Child } from './load-ipc.js';
import { locateFreeswitch } from '../test/pbx/freeswitch/locate.js';
import { printLadder, printSetupGap, runLadder } from './real-ladder.js';
import { calledNumber, callerNumber } from './load-config.js';
import { measureStep, openLoopCalls } from './real-step.js';
import { LogTail, wallMs, type FlowStep } from './real-stats.js';

const act = (app: string, data = '') => `<action application="${app}"${data ? ` data="${data}"` : ''}/>`;
const ext = (name: string, expr: string, actions: string[]) =>
  `    <extension name="${name}">\n      <condition field="destination_number" expression="${expr}">\n        ${actions.join('\n        ')}\n      </condition>\n    </extension>`;

export const BENCH_XML = `<include>
  <context name="bench-static">
${ext('static', '^\\+\\d{7}(\\d{4})$', [act('log', 'NOTICE sbin ${caller_id_number}'), act('set', 'hangup_after_bridge=true'), act('bridge', 'loopback/$1/bench-desk')])}
  </context>
  <context name="bench-desk">
${ext('desk', '^\\d+$', [act('log', 'NOTICE sbdesk ${caller_id_number}'), act('answer'), act('sleep', '1000'), act('hangup', 'NORMAL_CLEARING')])}
  </context>
  <context name="bench-caller">
${ext('wait', '^wait$', [act('sleep', '30000'), act('hangup')])}
  </context>
</include>
`;

/**
 * First in the public context, before the shipped switchboard.xml: marks the call entering the
 * dialplan (continue: the hunt goes on to the shipped extension), as [bench-static] does.
 */
export const MARK_XML = `<include>
  <extension name="bench-mark" continue="true">
    <condition field="destination_number" expression="^\\+\\d+$">
      ${act('log', 'NOTICE sbin ${caller_id_number}')}
    </condition>
  </extension>
</include>
`;

export class FreeswitchBench {
  private log: LogTail | null = null;
  pid = 0;
  private constructor(readonly fs: FreeswitchInstance, readonly esl: EslClient, readonly socketPort: number) {}

  static async start(install: FreeswitchInstall): Promise<FreeswitchBench> {
    const socketPort = await freePort();
    const fs = await FreeswitchInstance.start(install, { socketPort, extraFiles: { 'dialplan/bench.xml': BENCH_XML, 'dialplan/public/00_bench_mark.xml': MARK_XML } });
    try {
      const esl = await fs.esl();
      const b = new FreeswitchBench(fs, esl, socketPort);
      // Debug lines for every application at hundreds of calls a second would be most of the work.
      await esl.api('fsctl loglevel notice');
      // A call here is four sessions (two loopback pairs); the stock limit of 30 new sessions a
      // second ("Throttle Error!") would cap the bench at 7 calls/s, far below FreeSWITCH's CPU.
      await esl.api('fsctl sps 10000');
      await esl.api('fsctl max_sessions 10000');
      b.pid = Number(readFileSync(join(fs.dir, 'run/freeswitch.pid'), 'utf8').trim());
      b.log = new LogTail(join(fs.dir, 'log/freeswitch.log'));
      return b;
    } catch (err) {
      await fs.stop();
      throw err;
    }
  }

  /**
   * `sbin` and `sbdesk` notices since the last call: caller number -> ms of the log stamp.
   * Both stamps come from FreeSWITCH's own clock (switch_micro_time_now), which is not the
   * system's wall clock to the millisecond: latency is desk minus mark, never minus our send time.
   */
  marks(): { inbound: Map<string, number>; desk: Map<string, number> } {
    const text = this.log!.read();
    const out = { inbound: new Map<string, number>(), desk: new Map<string, number>() };
    // "[uuid ]2026-12-01 11:50:00.123456 [NOTICE] mod_dptools.c:1234 sbdesk +13032000001": local time.
    for (const m of text.matchAll(/(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{6})[^\n]*?(sbin|sbdesk) (\S+)/g)) {
      const ms = new Date(`${m[1]}T${m[2]}`).getTime() + Number(m[3]) / 1000;
      (m[4] === 'sbin' ? out.inbound : out.desk).set(m[5]!, ms);
    }
    return out;
  }

  async place(context: string, n: number): Promise<{ key: string; sentAt: number; ok: boolean }> {
    const key = callerNumber(n);
    const vars = `origination_caller_id_number=${key},origination_caller_id_name=${key}`;
    const sentAt = wallMs();
    const reply = await this.esl.bgapi(`originate {${vars}}loopback/${calledNumber(n)}/${context} wait XML bench-caller`).catch(() => '');
    return { key, sentAt, ok: reply.startsWith('+OK') };
  }

  async channelCount(): Promise<number> {
    const out = await this.esl.api('show channels count');
    return Number(/(\d+) total/.exec(out)?.[1] ?? -1);
  }

  async stop(): Promise<void> {
    this.esl.close();
    await this.fs.stop();
  }
}

/** One step of one flow (real-step.ts); latency is the desk's log stamp minus the entry mark's. */
export function freeswitchStep(b: FreeswitchBench, ctl: Child, flow: 'static bridge' | 'Switchboard', rate: number, seconds: number): Promise<FlowStep> {
  const context = flow === 'Switchboard' ? 'public' : 'bench-static';
  // Keyed by the caller's number, which both log marks carry; the send time is not used.
  const calls = openLoopCalls(rate, seconds, (n) => b.place(context, n));
  return measureStep(ctl, {
    flow, rate, pid: b.pid, routed: flow === 'Switchboard', ariTraffic: false,
    place: () => {
      b.marks(); // forget what was logged before
      return calls.place();
    },
    channelCount: () => b.channelCount(),
    latencies: () => {
      const { inbound, desk } = b.marks();
      return [...calls.sent.keys()].flatMap((key) => {
        const [from, to] = [inbound.get(key), desk.get(key)];
        return from !== undefined && to !== undefined ? [to - from] : [];
      });
    },
  });
}

const say = (s: string): void => void process.stdout.write(`${s}\n`);

/** The FreeSWITCH ladder: static `bridge` against Switchboard, rate by rate. */
export async function runFreeswitch(o: { start: number; step: number; max: number; seconds: number }): Promise<void> {
  const install = locateFreeswitch();
  if ('missing' in install) return say(`freeswitch: skipped (${install.missing})`);
  const b = await FreeswitchBench.start(install);
  let ctl: Child | null = null;
  try {
    ctl = await Child.start('controller', 'controller-process.ts', {
      readyArgs: {
        url: 'http://127.0.0.1:1',
        real: {
          username: 'unused', password: 'unused', endpoints: { freeswitch: 'loopback/{endpoint}/bench-desk' },
          freeswitch: { listen: `127.0.0.1:${b.socketPort}`, esl: { host: '127.0.0.1', port: b.fs.eslPort, password: b.fs.eslPassword } },
        },
      },
    });
    const c = ctl;
    say(`freeswitch: FreeSWITCH pid ${b.pid}, controller pid ${(c.ready as { pid: number }).pid}; ${o.seconds} s per rate, desk answers at once and hangs up after 1 s`);
    say('warm-up: 2 s at 10/s of each flow (not reported)');
    await freeswitchStep(b, c, 'static bridge', 10, 2);
    await freeswitchStep(b, c, 'Switchboard', 10, 2);
    const flows = ['static bridge', 'Switchboard'];
    const steps = await runLadder({
      start: o.start, step: o.step, max: o.max, reference: 'static bridge', flows,
      run: (flow, rate) => freeswitchStep(b, c, flow as 'static bridge' | 'Switchboard', rate, o.seconds),
    });
    printLadder(steps, { reference: 'static bridge', flows });
    printSetupGap(steps);
  } finally {
    await ctl?.stop().catch(() => undefined);
    await b.stop();
  }
}

