/** Helpers of the real-PBX benchmark: CPU time of a process from /proc, wall clock in ms, rows. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { quantile } from './load-stats.js';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on every Linux this runs on). */
const HZ = 100;

/** User + system CPU time of a process and all its threads so far, in ms (from /proc/<pid>/stat). */
export function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / HZ;
}

/** Wall-clock time in ms with sub-ms precision (comparable with Asterisk's and FreeSWITCH's clocks). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(1)).join(' ');
}

/** A PBX's log file read piece by piece: the bench's marks are in what was written since the last read. */
export class LogTail {
  private offset: number;
  constructor(private readonly file: string) {
    this.offset = LogTail.size(file);
  }

  private static size(file: string): number {
    try {
      return readFileSync(file).length;
    } catch {
      return 0;
    }
  }

  /** What was written since the last read (or since this was made). */
  read(): string {
    const buf = readFileSync(this.file);
    const text = buf.subarray(this.offset).toString('utf8');
    this.offset = buf.length;
    return text;
  }
}

/** One measured step of one flow at one rate. */
export interface FlowStep {
  flow: string;
  rate: number;
  placed: number;
  reached: number;
  /** Setup latencies of the calls that reached the desk, ms. */
  latencies: number[];
  pbxCpuMs: number;
  ctlCpuMs: number;
  events: number;
  requests: number;
  /** Controller call-log rows of the step by outcome (Switchboard flows only). */
  rows?: Record<string, number>;
  load: string;
  /** Controller traffic of the step: ARI events by type, REST requests by kind. */
  traffic?: Record<string, number>;
  /** Channels still up when the drain deadline passed (0 = drained). */
  leftOver: number;
}

/** 99 % of the calls reached the desk with a p99 under 100 ms. */
export function held(s: FlowStep): boolean {
  return s.placed > 0 && s.reached >= 0.99 * s.placed && quantile(s.latencies, 0.99) < 100;
}
