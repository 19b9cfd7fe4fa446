/** The store suite on PostgreSQL: one private server for the file, a fresh database per test. */
import { afterAll, beforeAll } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { describePostgres, startPostgres, type RunningPostgres } from '../support/postgres.js';
import { storeSuite } from './suite.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describePostgres('PostgreSQL store', () => {
  let server: RunningPostgres;
  let n = 0;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  storeSuite('postgres', {
    shared: true,
    async database() {
      const url = await server.createDatabase(`suite_${++n}`);
      return {
        open: (node?: string) => PostgresStore.open(url, { node: node ?? 'n1', log: quiet }),
        drop: async () => undefined, // the server and its folder go at the end of the file
      };
    },
  });
});
