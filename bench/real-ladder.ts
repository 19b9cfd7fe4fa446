/**
 * The rate ladder of the real-PBX benchmark: at each rate the static flow (the PBX's own dialplan)
 * and the Switchboard flow run one after the other on the same PBX, so that both see the same
 * machine; the rates step up until the static flow itself fails. Prints one progress line per
 * step and the tables at the end.
 */
import { fmt, printTable, quantile } from './load-stats.js';
import { held, type FlowStep } from './real-stats.js';

export interface LadderOptions {
  start: number;
  step: number;
  max: number;
  /** The flow that must fail to end the ladder (the static dialplan). */
  reference: string;
  flows: string[];
  run: (flow: string, rate: number) => Promise<FlowStep>;
}

const say = (s: string) => process.stdout.write(`${s}\n`);

export function describeStep(s: FlowStep): string {
  const perCall = (x: number) => fmt(s.placed ? x / s.placed : NaN, 2);
  return `${s.rate}/s ${s.flow}: ${s.reached}/${s.placed} reached, p50 ${fmt(quantile(s.latencies, 0.5), 1)} ms, p99 ${fmt(quantile(s.latencies, 0.99), 1)} ms, ` +
    `PBX CPU ${perCall(s.pbxCpuMs)} ms/call, controller ${perCall(s.ctlCpuMs)} ms/call, ${perCall(s.events)} events + ${perCall(s.requests)} REST/call` +
    `${s.rows ? `, call log ${Object.entries(s.rows).map(([k, v]) => `${v} ${k}`).join(' ')}` : ''}${s.leftOver ? `, ${s.leftOver} channels NOT drained` : ''} (load ${s.load})`;
}

export async function runLadder(o: LadderOptions): Promise<FlowStep[]> {
  const steps: FlowStep[] = [];
  for (let rate = o.start; rate <= o.max; rate += o.step) {
    let refFailed = false;
    for (const flow of o.flows) {
      const s = await o.run(flow, rate);
      steps.push(s);
      say(`  ${describeStep(s)}`);
      if (flow === o.reference && !held(s)) refFailed = true;
    }
    if (refFailed) break;
  }
  return steps;
}

/** Per-call ARI traffic of a step, dearest first: what a call costs in events and requests. */
export function printTraffic(s: FlowStep): void {
  const rows = Object.entries(s.traffic ?? {}).sort((a, b) => b[1] - a[1]);
  say(`ARI traffic per call at ${s.rate}/s (${s.flow}, ${s.placed} calls):`);
  printTable(['event or request', 'per call'], rows.map(([k, v]) => [k, fmt(v / s.placed, 2)]));
}

export function printLadder(steps: FlowStep[], o: Pick<LadderOptions, 'reference' | 'flows'>): void {
  printTable(
    ['rate', 'flow', 'placed', 'reached', 'p50 ms', 'p99 ms', 'PBX CPU ms/call', 'ctl CPU ms/call', 'events/call', 'REST/call', 'held', 'load avg'],
    steps.map((s) => [
      `${s.rate}/s`, s.flow, s.placed, s.reached, fmt(quantile(s.latencies, 0.5), 1), fmt(quantile(s.latencies, 0.99), 1),
      fmt(s.pbxCpuMs / s.placed, 2), fmt(s.ctlCpuMs / s.placed, 2), fmt(s.events / s.placed, 1), fmt(s.requests / s.placed, 1),
      held(s) ? 'yes' : 'no', s.load,
    ]),
  );
  const top = (flow: string) => Math.max(0, ...steps.filter((s) => s.flow === flow && held(s)).map((s) => s.rate));
  const ref = top(o.reference);
  for (const flow of o.flows.filter((f) => f !== o.reference)) {
    const mine = top(flow);
    const cpu = (f: string) => {
      const at = steps.filter((s) => s.flow === f && s.rate <= Math.min(ref, mine || ref));
      const placed = at.reduce((n, s) => n + s.placed, 0);
      return at.reduce((n, s) => n + s.pbxCpuMs, 0) / placed;
    };
    say(`highest rate held (99 % reached, p99 < 100 ms): ${o.reference} ${ref}/s, ${flow} ${mine}/s => ratio ${ref ? fmt(mine / ref, 2) : '-'} (target 0.8)`);
    say(`PBX CPU per call over the rates both held: ${o.reference} ${fmt(cpu(o.reference), 2)} ms, ${flow} ${fmt(cpu(flow), 2)} ms => ${fmt(cpu(flow) / cpu(o.reference), 2)}x (target 1.5x)`);
  }
}

/** Setup latency of Switchboard minus the reference flow's, rate by rate (the FreeSWITCH target: within 10 ms). */
export function printSetupGap(steps: FlowStep[]): void {
  const rates = [...new Set(steps.map((s) => s.rate))];
  printTable(
    ['rate', 'p50 gap ms', 'p99 gap ms'],
    rates.flatMap((rate) => {
      const [ref, sb] = [steps.find((s) => s.rate === rate && s.flow !== 'Switchboard'), steps.find((s) => s.rate === rate && s.flow === 'Switchboard')];
      if (!ref || !sb) return [];
      const gap = (q: number) => quantile(sb.latencies, q) - quantile(ref.latencies, q);
      return [[`${rate}/s`, fmt(gap(0.5), 1), fmt(gap(0.99), 1)]];
    }),
  );
}
