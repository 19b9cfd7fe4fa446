import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importContacts, type ImportProgress } from '../../src/contacts/import.js';
import { SwitchboardError } from '../../src/errors.js';
import { Store } from '../../src/store/index.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/contacts');
const opts = { users: new Set(['alice', 'bob', 'carol']), defaultCountry: 'US' };

let store: Store;
let dir: string;
beforeEach(async () => {
  store = await Store.open(':memory:');
  dir = mkdtempSync(path.join(tmpdir(), 'sb-import-'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('importContacts', () => {
  it('given the fixture (BOM, CRLF, quotes, a duplicate and bad rows), when imported, then the summary and line numbers are exact', async () => {
    const s = await importContacts(store, path.join(FIXTURES, 'contacts.csv'), opts);
    expect({ ...s, seconds: 0 }).toEqual({
      rows: 11,
      imported: 5,
      updated: 1,
      skipped: 5,
      errors: [
        { line: 5, reason: expect.stringMatching(/^bad phone "not-a-phone"/) },
        { line: 6, reason: 'unknown owner "zed"' },
        { line: 7, reason: 'expected 5 fields, found 3' },
        { line: 11, reason: 'missing phone' },
        { line: 13, reason: 'field "notes" is longer than 1000 characters' },
      ],
      errorsTruncated: false,
      seconds: 0,
    });
    expect(await store.contacts.count()).toBe(5);
    expect(await store.contacts.get('+12025550101')).toEqual({ phone: '+12025550101', name: 'Ann Updated', owner: 'bob', fields: { company: 'Acme', notes: 'two\r\nlines' } });
    expect(await store.contacts.get('+12025550102')).toEqual({ phone: '+12025550102', name: 'Ben Best', owner: 'bob', fields: {} });
    expect((await store.contacts.get('+12025550103'))?.fields).toEqual({ company: 'Big, Co' });
    expect(await store.contacts.get('+12025550106')).toEqual({ phone: '+12025550106', name: 'Gus Gray', owner: null, fields: { company: 'Gus Inc' } });
    expect((await store.contacts.get('+12025550108'))?.name).toBe('Ivy "Q" Ito');
  });

  it('given the same file imported twice, then the second run only updates', async () => {
    const file = path.join(FIXTURES, 'contacts.csv');
    await importContacts(store, file, opts);
    const again = await importContacts(store, file, { ...opts, batchSize: 2 });
    expect([again.imported, again.updated, again.skipped]).toEqual([0, 6, 5]);
  });

  it.each([
    ['a header without the owner column', 'no-owner-column.csv', /"owner"/],
    ['an empty file', null, /empty/],
    ['a missing file', 'does-not-exist.csv', /no such file/],
  ])('given %s, then it fails with CSV_INVALID before importing anything', async (_what, name, message) => {
    const file = name ? path.join(FIXTURES, name) : path.join(dir, 'empty.csv');
    if (!name) writeFileSync(file, '');
    const err = await importContacts(store, file, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwitchboardError);
    expect((err as SwitchboardError).code).toBe('CSV_INVALID');
    expect((err as Error).message).toMatch(message);
    expect(await store.contacts.count()).toBe(0);
  });

  it('given a quote that is never closed, when imported, then it is reported at the line where it opens and the rows before and after it are kept', async () => {
    const file = path.join(dir, 'quote.csv');
    writeFileSync(file, 'phone,name,owner\n+12025550101,"A\nB",alice\n+12025550102,"B,bob\n+12025550103,C,bob\n');
    const s = await importContacts(store, file, opts);
    expect([s.rows, s.imported, s.skipped]).toEqual([3, 2, 1]);
    expect(s.errors).toEqual([{ line: 4, reason: 'malformed CSV: a quoted field is not closed on its line' }]);
    expect((await store.contacts.get('+12025550101'))?.name).toBe('A\nB');
    expect((await store.contacts.get('+12025550103'))?.owner).toBe('bob');
  });

  it('given a line over 1 MB between good rows, then it is one error at its own line and the rows after it are imported', async () => {
    const file = path.join(dir, 'huge.csv');
    const huge = `+12025550102,${'x'.repeat(1_200_000)},bob`;
    writeFileSync(file, `phone,name,owner\n+12025550101,A,alice\n${huge}\n+12025550103,C,bob\n+12025550104,D,carol\n`);
    const s = await importContacts(store, file, opts);
    expect([s.rows, s.imported, s.skipped]).toEqual([4, 3, 1]);
    expect(s.errors).toEqual([{ line: 3, reason: 'the line is longer than 1,000,000 bytes' }]);
    expect(await store.contacts.count()).toBe(3);
  });

  it('given an unterminated quote whose next rows would join into one contact, then each of those rows is its own contact with its own owner', async () => {
    const file = path.join(dir, 'swallow.csv');
    writeFileSync(file, 'phone,name,owner\r\n+12025550101,"Ann Able,alice\r\n+12025550102,Ben,bob\r\n+12025550103,Cat "the" Cole",carol\r\n+12025550104,Dan,alice\r\n');
    const s = await importContacts(store, file, opts);
    expect(s.errors).toEqual([{ line: 2, reason: 'malformed CSV: a quoted field is not closed on its line' }]);
    expect([s.rows, s.imported, s.skipped]).toEqual([4, 3, 1]);
    expect((await store.contacts.get('+12025550102'))?.owner).toBe('bob');
    expect((await store.contacts.get('+12025550103'))).toMatchObject({ name: 'Cat "the" Cole"', owner: 'carol' });
    expect((await store.contacts.get('+12025550104'))?.owner).toBe('alice');
  });

  it('given more than 1000 bad rows, then only the first 1000 are kept and the rest counted', async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'phone,name,owner\n' + Array.from({ length: 1500 }, (_, i) => `bad${i},n,alice\n`).join(''));
    const s = await importContacts(store, file, opts);
    expect([s.rows, s.skipped, s.errors.length, s.errorsTruncated]).toEqual([1500, 1500, 1000, true]);
    expect(s.errors[0]!.line).toBe(2);
    expect(s.errors[999]!.line).toBe(1001);
  });

  it('given a generated 100,000-row CSV, when streamed, then every row is stored and progress is reported', async () => {
    const file = path.join(dir, 'big.csv');
    const out = createWriteStream(file);
    out.write('phone,name,owner,city\n');
    for (let i = 0; i < 100_000; i++) {
      const line = `+1303${String(i).padStart(7, '0')},Name ${i},${i % 2 ? 'alice' : ''},City ${i % 50}\n`;
      if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    const seen: ImportProgress[] = [];
    const s = await importContacts(store, file, { ...opts, onProgress: (p) => seen.push(p) });
    expect([s.rows, s.imported, s.updated, s.skipped]).toEqual([100_000, 100_000, 0, 0]);
    expect(await store.contacts.count()).toBe(100_000);
    expect(await store.contacts.get('+13030099999')).toEqual({ phone: '+13030099999', name: 'Name 99999', owner: 'alice', fields: { city: 'City 49' } });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.at(-1)).toMatchObject({ rows: 100_000, totalBytes: seen.at(-1)!.bytes });
  });
});
