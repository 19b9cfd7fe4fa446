/**
 * Call-log retention (`storage.keepCallsDays`): the calls table grew without bound. Finished rows
 * older than the setting are deleted at start and then once a day; rows of calls still in progress
 * are never touched.
 */
import type { Logger } from '../log.js';
import type { CallStore } from './calls.js';

const DAY_MS = 86_400_000;

export class CallRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly calls: Pick<CallStore, 'pruneEnded'>,
    /** Read at every run: a reload may change it. */
    private readonly keepDays: () => number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(everyMs = DAY_MS): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Prune once; resolves when done. Never throws (a failure is logged and retried next time). */
  runOnce(): Promise<void> {
    this.running = this.running.then(async () => {
      const days = this.keepDays();
      try {
        const deleted = await this.calls.pruneEnded(new Date(this.now() - days * DAY_MS));
        if (deleted > 0) this.log.info({ deleted, keepCallsDays: days }, 'old call-log rows deleted');
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'call-log pruning failed; will retry');
      }
    });
    return this.running;
  }
}
