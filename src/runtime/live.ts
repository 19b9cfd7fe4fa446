/**
 * Schedule overrides, the run-time block list and do-not-disturb (section 6), held in memory by a running controller and
 * re-read from the store every `syncMs` (default 250 ms), so `switchboard schedule ...` and
 * `switchboard block ...` and `switchboard dnd ...` run from another process reach it within a second, as contact imports
 * do (src/contacts/owner-index.ts). Both tables are a handful of rows: a full read is cheaper than
 * any change tracking. A call never waits for the store: it uses what the last read left.
 */
import type { Logger } from '../log.js';
import { BlockList } from '../routing/blocked.js';
import type { ScheduleOverride } from '../routing/schedule.js';
import type { BlockPort, DndPort, OverridePort } from './store.js';

export class LiveState {
  private overridesNow: ReadonlyMap<string, ScheduleOverride> = new Map();
  private runtimeBlocked: readonly string[] = [];
  private dndNow: ReadonlyMap<string, string> = new Map();
  private blockCache: { config: readonly string[]; runtime: readonly string[]; list: BlockList } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private failing = false;

  constructor(
    private readonly store: { overrides: Pick<OverridePort, 'list'>; blocked: Pick<BlockPort, 'list'>; dnd?: Pick<DndPort, 'list'> },
    private readonly log: Pick<Logger, 'warn' | 'info'>,
    private readonly syncMs = 250,
  ) {}

  /** Read once now and keep in step afterwards. */
  async start(): Promise<void> {
    await this.syncNow();
    this.timer = setInterval(() => {
      this.syncing ??= this.sync();
    }, this.syncMs);
    this.timer.unref();
  }

  /** Read the store now; resolves when done. */
  async syncNow(): Promise<void> {
    while (this.syncing) await this.syncing;
    this.syncing = this.sync();
    await this.syncing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.syncing;
  }

  /** Schedule id -> override in force. */
  get overrides(): ReadonlyMap<string, ScheduleOverride> {
    return this.overridesNow;
  }

  /** User id -> since when she is on do-not-disturb (ISO 8601). */
  get dnd(): ReadonlyMap<string, string> {
    return this.dndNow;
  }

  /** The block list: the config's `blocked` and the store's run-time entries together. */
  blockList(configPatterns: readonly string[]): BlockList {
    const c = this.blockCache;
    if (c && c.config === configPatterns && c.runtime === this.runtimeBlocked) return c.list;
    const list = new BlockList([...configPatterns, ...this.runtimeBlocked]);
    this.blockCache = { config: configPatterns, runtime: this.runtimeBlocked, list };
    return list;
  }

  private async sync(): Promise<void> {
    try {
      const [overrides, blocked, dnd] = await Promise.all([this.store.overrides.list(), this.store.blocked.list(), this.store.dnd?.list() ?? []]);
      const next = new Map(overrides.map((o) => [o.scheduleId, o.state] as const));
      if (!sameMap(next, this.overridesNow)) {
        this.overridesNow = next;
        this.log.info({ overrides: Object.fromEntries(next) }, 'schedule overrides changed');
      }
      const patterns = blocked.map((b) => b.pattern);
      if (patterns.join('\n') !== this.runtimeBlocked.join('\n')) {
        this.runtimeBlocked = patterns;
        this.log.info({ blocked: patterns.length }, 'run-time block list changed');
      }
      const nextDnd = new Map(dnd.map((d) => [d.userId, d.since] as const));
      if (!sameMap(nextDnd, this.dndNow)) {
        this.dndNow = nextDnd;
        this.log.info({ dnd: [...nextDnd.keys()] }, 'do-not-disturb changed');
      }
      this.failing = false;
    } catch (err) {
      // Keep routing on the last state read; say so once, not four times a second.
      if (!this.failing) this.log.warn({ err: (err as Error).message }, 'reading schedule overrides / block list / do-not-disturb failed; keeping the last state');
      this.failing = true;
    } finally {
      this.syncing = null;
    }
  }
}

function sameMap<K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
