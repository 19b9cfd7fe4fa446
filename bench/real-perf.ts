/**
 * Where a PBX's CPU goes during one step: `perf record` on its process for the step, then
 * `perf report` by shared object and by symbol (BENCH_REAL_PERF=<rate>). perf must be installed
 * and allowed (root, or kernel.perf_event_paranoid <= 1).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PerfSession { stop(): Promise<string> }

/** Start sampling `pid` at 499 Hz; `stop()` ends it and returns the two reports as text. */
export function perfRecord(pid: number, label: string): PerfSession {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-perf-'));
  const data = path.join(dir, 'perf.data');
  const proc = spawn('perf', ['record', '-F', '499', '-p', String(pid), '-o', data], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    async stop() {
      proc.kill('SIGINT');
      await exited;
      try {
        const report = async (sort: string, limit: string) =>
          (await run('perf', ['report', '-i', data, '--stdio', '--no-children', '--sort', sort, '--percent-limit', limit], { maxBuffer: 16 << 20 })).stdout
            .split('\n').filter((l) => l.trim() && !l.startsWith('#')).join('\n');
        return `perf: ${label}\n-- by shared object --\n${await report('dso', '2')}\n-- by symbol --\n${await report('dso,sym', '1.5')}`;
      } catch (err) {
        return `perf: ${label}: no report (${(err as Error).message.split('\n')[0]})`;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
