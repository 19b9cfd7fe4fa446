/**
 * Logging: pino, one logger made in the composition root and passed down. Each call gets a child
 * logger bound to its channel id, so `grep <channel id>` tells one call's story.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Make the process logger. `level` from LOG_LEVEL (default info). Lines go to stdout through a
 * buffered (asynchronous) destination: a synchronous write per line cost a measurable share of
 * the controller's CPU at hundreds of calls a second (BENCHMARKS.md). pino flushes it on exit.
 */
export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  const destination = opts.destination ?? pino.destination({ dest: 1, sync: false });
  return pino({ level, base: { name: 'switchboard', pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
