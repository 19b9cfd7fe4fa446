/**
 * The SQLite store: contacts, ring-group cursors, the call log, resumable call state, schedule
 * overrides, the run-time block list, do-not-disturb and the ring groups' answer history.
 * One connection per Store; open it once where everything is wired and pass it down.
 */
import { CallStore } from './calls.js';
import { ContactStore } from './contacts.js';
import { CursorStore } from './cursors.js';
import { Db } from './db.js';
import { migrate } from './migrations.js';
import { BlockStore, OverrideStore } from './runtime.js';
import { DndStore } from './dnd.js';
import { GroupAnswerStore } from './history.js';
import type { StoreHealth, SwitchboardStore } from '../runtime/store.js';

export type { Contact, ContactRow } from './contacts.js';
export type { Decide, Move } from './cursors.js';
export type { ListCallsOptions } from './calls.js';
export type { BlockedRow, OverrideState, ScheduleOverrideRow } from './runtime.js';
export type { DndRow } from './dnd.js';
export { BlockStore, CallStore, ContactStore, CursorStore, DndStore, GroupAnswerStore, OverrideStore };

/**
 * The SQLite store, the embedded default (the PostgreSQL one is in ./postgres/). Errors are
 * SwitchboardError STORE_FAILED with the sqlite message in details.
 */
export class Store implements SwitchboardStore {
  readonly kind = 'sqlite';

  private constructor(
    private readonly db: Db,
    private readonly reader: Db,
    readonly contacts: ContactStore,
    readonly cursors: CursorStore,
    readonly calls: CallStore,
    readonly overrides: OverrideStore,
    readonly blocked: BlockStore,
    readonly dnd: DndStore,
    readonly groupAnswers: GroupAnswerStore,
    readonly node: string | null,
  ) {}

  /** A local file is up as long as it is open: writes that fail are errors, not a queue. */
  health(): StoreHealth {
    return { up: true, queued: 0, overflowed: 0 };
  }

  /** Open (or create) the database at `path` (':memory:' for a private in-memory one) and migrate it. */
  static async open(path: string, opts: { node?: string | null } = {}): Promise<Store> {
    const node = opts.node ?? null;
    const db = await Db.open(path);
    let reader = db;
    try {
      await migrate(db);
      // A private in-memory database cannot be opened twice: there the writer also reads.
      const inMemory = path === ':memory:' || path === '';
      if (!inMemory) reader = await Db.open(path);
      return new Store(db, reader, await ContactStore.create(db, reader), new CursorStore(db), new CallStore(db, node), new OverrideStore(db, reader), new BlockStore(db, reader), new DndStore(db, reader), new GroupAnswerStore(db, reader), node);
    } catch (err) {
      await db.close().catch(() => undefined);
      if (reader !== db) await reader.close().catch(() => undefined);
      throw err;
    }
  }

  /** Wait for running transactions and close the connection. */
  async close(): Promise<void> {
    await this.calls.flush(); // nothing queued for the call log is lost on a clean stop
    if (this.reader !== this.db) await this.reader.close();
    return this.db.close();
  }
}
