import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { OwnerIndex } from '../../src/contacts/owner-index.js';
import { silentLogger } from '../../src/log.js';

describe('in-memory contact owner index', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('given contacts in the store, when it loads, then it answers owners and null for strangers; before loading it defers to the store', async () => {
    const store = await Store.open(':memory:');
    cleanup.push(() => store.close());
    await store.contacts.upsertBatch(Array.from({ length: 45_000 }, (_, i) => ({ phone: `+1202555${String(i).padStart(4, '0')}${i >= 10_000 ? i : ''}`.slice(0, 16), name: 'n', owner: i % 2 ? 'bob' : null, fields: {} })));
    const index = new OwnerIndex(store.contacts, silentLogger(), 60_000);
    expect(index.ownerOf('+12025550001')).toBeUndefined();
    index.start();
    cleanup.push(() => index.stop());
    await index.ready();
    expect(index.ownerOf('+12025550001')).toBe('bob');
    expect(index.ownerOf('+12025550002')).toBeNull(); // a contact with no owner: the CRM may know
    expect(index.ownerOf('+19995550000')).toBeNull();
  });

  it('given a running index, when another connection imports and clears owners, then a sync brings them in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'owner-index-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'db.sqlite');
    const controller = await Store.open(file);
    cleanup.push(() => controller.close());
    const importer = await Store.open(file); // `switchboard contacts import` in another process
    cleanup.push(() => importer.close());
    const index = new OwnerIndex(controller.contacts, silentLogger(), 60_000);
    index.start();
    cleanup.push(() => index.stop());
    await index.ready();
    expect(index.ownerOf('+12025550777')).toBeNull();

    await importer.contacts.upsertBatch([{ phone: '+12025550777', name: 'Dana', owner: 'alice', fields: {} }]);
    await index.syncNow();
    expect(index.ownerOf('+12025550777')).toBe('alice');

    await importer.contacts.upsertBatch([{ phone: '+12025550777', name: 'Dana', owner: null, fields: {} }]);
    await index.syncNow();
    expect(index.ownerOf('+12025550777')).toBeNull();
  });
});
