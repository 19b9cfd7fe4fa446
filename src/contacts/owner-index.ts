/**
 * Who owns each known caller, in memory: the hot path of every call's routing decision.
 *
 * Why: a look-up through node-sqlite3 hops to a libuv worker thread and back; on this 2-core
 * machine that hop alone has a p99 of 50 to 100 µs (BENCHMARKS.md, "sqlite3 SELECT 1"), which
 * misses the 100 µs per-decision target before any routing is done. A Map look-up has a p99
 * under 10 µs. The cost is memory: about 85 MB of heap at 1,000,000 contacts.
 *
 * The store stays the source of truth. The index loads every contact with an owner in pages, then
 * syncs incrementally every `syncMs` by update time, so an import run by another process
 * (`switchboard contacts import`) reaches a running controller within about a second. Until the
 * first load has finished, `ownerOf` answers `undefined` and the caller asks the store.
 */
import type { Logger } from '../log.js';
import type { ContactPort } from '../runtime/store.js';

const PAGE = 20_000;
/** Re-read this far back on every sync: an importer's batch may commit after a later timestamp was read. */
const OVERLAP_MS = 2000;

export class OwnerIndex {
  private readonly owners = new Map<string, string>();
  private loaded = false;
  private after = { updatedAt: '', phone: '' };
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly contacts: Pick<ContactPort, 'changedSince'>,
    private readonly log: Logger,
    private readonly syncMs = 1000,
  ) {}

  /** Start loading in the background and keep in step afterwards. */
  start(): void {
    this.syncing = this.sync();
    this.timer = setInterval(() => {
      this.syncing ??= this.sync();
    }, this.syncMs);
    this.timer.unref();
  }

  /** Resolves once the first full load is done (tests, benchmarks). */
  async ready(): Promise<void> {
    while (!this.loaded && !this.stopped) await (this.syncing ?? new Promise((r) => setTimeout(r, 10)));
  }

  /** Sync now (after an import in this process, or on SIGHUP); resolves when done. */
  async syncNow(): Promise<void> {
    while (this.syncing) await this.syncing;
    this.syncing = this.sync();
    await this.syncing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
  }

  /** The owner of `phone`; null when the index has no owner for it; undefined before the first load. */
  ownerOf(phone: string): string | null | undefined {
    if (!this.loaded) return undefined;
    return this.owners.get(phone) ?? null;
  }

  /** Contacts with an owner held in memory. */
  get size(): number {
    return this.owners.size;
  }

  private async sync(): Promise<void> {
    const started = Date.now();
    let rows = 0;
    try {
      for (;;) {
        if (this.stopped) return;
        const page = await this.contacts.changedSince(this.after, PAGE);
        for (const r of page) {
          if (r.owner) this.owners.set(r.phone, r.owner);
          else this.owners.delete(r.phone);
        }
        rows += page.length;
        const last = page.at(-1);
        if (last) this.after = { updatedAt: last.updated_at, phone: last.phone };
        if (page.length < PAGE) break;
      }
      if (!this.loaded) {
        this.loaded = true;
        this.log.info({ owners: this.owners.size, ms: Date.now() - started }, 'contact owner index loaded');
      } else if (rows > 0) this.log.debug({ rows }, 'contact owner index synced');
      // Next time start a little earlier: re-applying a row is harmless, missing one is not.
      const back = Date.parse(this.after.updatedAt) - OVERLAP_MS;
      if (Number.isFinite(back)) this.after = { updatedAt: new Date(back).toISOString(), phone: '' };
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'contact owner index sync failed; the store answers meanwhile');
    } finally {
      this.syncing = null;
    }
  }
}
