/**
 * Open the store a config names: PostgreSQL when `storage.postgres` is set (spec section 10),
 * else the SQLite file. The PostgreSQL driver is imported only then: a single-node site never
 * loads it.
 */
import type { LoadedConfig } from '../config/load.js';
import type { Logger } from '../log.js';
import type { SwitchboardStore } from '../runtime/store.js';
import { Store } from './index.js';

export interface OpenStoreOptions {
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** The controller holds its node name (a second live one with the same name is refused); CLIs do not. */
  lockNode?: boolean;
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

export async function openStore(loaded: Pick<LoadedConfig, 'sqlitePath' | 'postgresUrl' | 'config'>, opts: OpenStoreOptions = {}): Promise<SwitchboardStore> {
  const node = loaded.config.node ?? null;
  if (loaded.postgresUrl) {
    const { PostgresStore } = await import('./postgres/index.js');
    // The config check makes `node` required with postgres; a caller that skipped it gets one name per host.
    return PostgresStore.open(loaded.postgresUrl, { node: node ?? 'default', log: opts.log ?? silent, lockNode: opts.lockNode ?? false });
  }
  return Store.open(loaded.sqlitePath, { node });
}
