/** test/support/postgres.ts: a private server that starts, answers, stops and leaves nothing behind. */
import { existsSync } from 'node:fs';
import pg from 'pg';
import { expect, it } from 'vitest';
import { describePostgres, startPostgres } from '../support/postgres.js';

describePostgres('test PostgreSQL helper', () => {
  it('starts a private server on a socket, restarts it, and removes it on stop', async () => {
    const server = await startPostgres();
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query<{ n: number }>('SELECT 1 + 1 AS n');
      expect(rows[0]!.n).toBe(2);
      await client.end();
      await server.halt();
      await server.restart();
      const url = await server.createDatabase('second');
      const again = new pg.Client({ connectionString: url });
      await again.connect();
      expect((await again.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d).toBe('second');
      await again.end();
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dir)).toBe(false);
  });
});
