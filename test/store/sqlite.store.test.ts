/** The store suite on SQLite (a file per test). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Store } from '../../src/store/index.js';
import { storeSuite } from './suite.js';

storeSuite('sqlite', {
  shared: false,
  async database() {
    const dir = mkdtempSync(path.join(tmpdir(), 'sb-suite-'));
    const file = path.join(dir, 'sb.db');
    return {
      open: (node?: string) => Store.open(file, { node: node ?? null }),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
