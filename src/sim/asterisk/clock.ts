/** Ids, timestamps and timers of the simulated Asterisk. Every timer is owned so stop()/reset() can clear it. */

/** Asterisk's ARI timestamp format: `2026-11-21T13:43:15.430+0000` (we always use UTC). */
export function ariTimestamp(d: Date = new Date()): string {
  return d.toISOString().replace('Z', '+0000');
}

/** Allocates channel unique ids (`<epoch seconds>.<counter>`, as Asterisk does) and per-tech name suffixes. */
export class IdAllocator {
  private seq = 0;
  private readonly techSeq = new Map<string, number>();

  /** Next channel unique id, e.g. "1795268595.4". */
  uniqueId(): string {
    return `${Math.floor(Date.now() / 1000)}.${this.seq++}`;
  }

  /** Next 8-hex-digit channel name suffix for a technology (Local and PJSIP count separately). */
  nameSuffix(tech: string): string {
    const n = this.techSeq.get(tech) ?? 0;
    this.techSeq.set(tech, n + 1);
    return n.toString(16).padStart(8, '0');
  }
}

/** setTimeout with bookkeeping: callbacks never throw out, and everything can be cancelled at once. */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Run `fn` after `ms` (0 = next macrotask); returns a cancel function. */
  after(ms: number, fn: () => void): () => void {
    if (this.stopped) return () => undefined;
    const t = setTimeout(() => {
      this.timers.delete(t);
      try {
        fn();
      } catch (err) {
        this.onError(err);
      }
    }, Math.max(0, ms));
    this.timers.add(t);
    return () => {
      clearTimeout(t);
      this.timers.delete(t);
    };
  }

  /** Cancel every pending timer (reset keeps the scheduler usable). */
  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Cancel everything and refuse new timers. */
  stop(): void {
    this.stopped = true;
    this.clear();
  }
}
