import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contactsCommand, progressReporter } from '../../src/cli/contacts.js';
import type { CliIO } from '../../src/cli/io.js';
import { Capture } from '../support/cli.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/contacts');
const CONFIG = `defaultCountry: US
users:
  - { id: alice, name: Alice, extension: "1001" }
  - { id: bob, name: Bob, extension: "1002" }
  - { id: carol, name: Carol, extension: "1003" }
storage: { sqlite: var/sb.db }
`;

let dir: string;
let out: Capture;
let err: Capture;
let io: CliIO;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sb-cli-'));
  writeFileSync(path.join(dir, 'sb.yaml'), CONFIG);
  copyFileSync(path.join(FIXTURES, 'contacts.csv'), path.join(dir, 'contacts.csv'));
  out = new Capture();
  err = new Capture();
  io = { stdout: out, stderr: err, env: {}, cwd: dir };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('switchboard contacts import', () => {
  it('given the fixture, then exit 0 with a summary and each bad row as FILE:LINE: reason', async () => {
    expect(await contactsCommand(['import', '--config', 'sb.yaml', 'contacts.csv'], io)).toBe(0);
    const lines = out.text.trim().split('\n');
    expect(lines[0]).toMatch(/^contacts\.csv: 11 rows: 5 new, 1 updated, 5 skipped/);
    expect(lines.slice(1).map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['contacts.csv:5', 'contacts.csv:6', 'contacts.csv:7', 'contacts.csv:11', 'contacts.csv:13']);
    expect(lines).toContain('contacts.csv:6: unknown owner "zed"');
  });

  it('given --json, then the summary is JSON', async () => {
    expect(await contactsCommand(['import', '--config', 'sb.yaml', '--json', 'contacts.csv'], io)).toBe(0);
    expect(JSON.parse(out.text)).toMatchObject({ file: 'contacts.csv', rows: 11, imported: 5, updated: 1, skipped: 5, errorsTruncated: false });
  });

  it('given more than 50 bad rows, then 50 are printed and the rest counted', async () => {
    writeFileSync(path.join(dir, 'bad.csv'), 'phone,name,owner\n' + Array.from({ length: 75 }, (_, i) => `+1202555${String(i).padStart(4, '0')},n,zed\n`).join(''));
    expect(await contactsCommand(['import', '--config', 'sb.yaml', 'bad.csv'], io)).toBe(0);
    const lines = out.text.trim().split('\n');
    expect(lines.filter((l) => /^bad\.csv:\d+: unknown owner/.test(l))).toHaveLength(50);
    expect(lines.at(-1)).toBe('... and 25 more');
  });

  it.each([
    ['a missing CSV', ['import', '--config', 'sb.yaml', 'nope.csv'], /nope\.csv: no such file/],
    ['a bad header', ['import', '--config', 'sb.yaml', path.join(FIXTURES, 'no-owner-column.csv')], /"owner"/],
    ['a missing config', ['import', '--config', 'nope.yaml', 'contacts.csv'], /nope\.yaml/],
    ['no file argument', ['import', '--config', 'sb.yaml'], /usage/],
    ['an unknown subcommand', ['export', '--config', 'sb.yaml', 'x'], /usage/],
    ['a bad number', ['lookup', '--config', 'sb.yaml', 'call-me'], /bad number/],
  ])('given %s, then exit 2 with a one-line reason', async (_what, argv, message) => {
    expect(await contactsCommand(argv, io)).toBe(2);
    expect(err.text).toMatch(message);
  });
});

describe('switchboard contacts lookup', () => {
  beforeEach(async () => {
    expect(await contactsCommand(['import', '--config', 'sb.yaml', 'contacts.csv'], { ...io, stdout: new Capture() })).toBe(0);
  });

  it('given a known caller in local format, then its phone, name, owner and fields', async () => {
    expect(await contactsCommand(['lookup', '--config', 'sb.yaml', '(202) 555-0103'], io)).toBe(0);
    expect(out.text).toBe('phone: +12025550103\nname: Cat Cole\nowner: carol\ncompany: Big, Co\n');
  });

  it('given an unknown caller, then "unknown caller" and exit 0; --json prints null', async () => {
    expect(await contactsCommand(['lookup', '--config', 'sb.yaml', '+12025550999'], io)).toBe(0);
    expect(out.text).toMatch(/unknown caller/);
    const json = new Capture();
    expect(await contactsCommand(['lookup', '--config', 'sb.yaml', '--json', '+12025550999'], { ...io, stdout: json })).toBe(0);
    expect(JSON.parse(json.text)).toBeNull();
  });

  it('given a name with terminal escape sequences in the CSV, then lookup prints them escaped, never raw (issue 11 item 14)', async () => {
    // ESC [2J clears the screen, ESC ]0; retitles the window, CSI (U+009B) is the one-byte ESC [.
    writeFileSync(path.join(dir, 'evil.csv'), 'phone,name,owner,notes\n+12025550177,"Mal\x1b[2J\x1b]0;pwned\x07 \u009b31m",alice,"\x1b[31mred"\n');
    expect(await contactsCommand(['import', '--config', 'sb.yaml', 'evil.csv'], { ...io, stdout: new Capture() })).toBe(0);
    expect(await contactsCommand(['lookup', '--config', 'sb.yaml', '+12025550177'], io)).toBe(0);
    expect(out.text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(out.text).toBe('phone: +12025550177\nname: "Mal\\u001b[2J\\u001b]0;pwned\\u0007 \\u009b31m"\nowner: alice\nnotes: "\\u001b[31mred"\n');
  });

  it('given --json, then the contact object', async () => {
    expect(await contactsCommand(['lookup', '--config', 'sb.yaml', '--json', '2025550106'], io)).toBe(0);
    expect(JSON.parse(out.text)).toEqual({ phone: '+12025550106', name: 'Gus Gray', owner: null, fields: { company: 'Gus Inc' } });
  });
});

describe('progressReporter', () => {
  it('given a terminal, then it redraws at most every 100 ms', () => {
    const tty = new Capture(true);
    let now = 0;
    const p = progressReporter(tty, () => now);
    for (const t of [0, 50, 99, 100, 150, 250]) {
      now = t;
      p.update({ rows: t * 10, bytes: t, totalBytes: 1000 });
    }
    expect(tty.text.split('\r\x1b[K').filter(Boolean)).toHaveLength(3);
    expect(tty.text).toMatch(/25%\s+2,500 rows/);
  });

  it('given no terminal, then one line per 100,000 rows', () => {
    const pipe = new Capture(false);
    let now = 0;
    const p = progressReporter(pipe, () => now);
    for (let rows = 0; rows <= 350_000; rows += 5000) {
      now += 10;
      p.update({ rows, bytes: rows, totalBytes: 350_000 });
    }
    p.done();
    expect(pipe.text.trim().split('\n').map((l) => l.split(' rows')[0])).toEqual(['contacts import: 100,000', 'contacts import: 200,000', 'contacts import: 300,000']);
  });
});
