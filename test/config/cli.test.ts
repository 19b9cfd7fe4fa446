import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfigCommand } from '../../src/cli/check-config.js';
import type { CliIO } from '../../src/cli/io.js';
import { schemaCommand } from '../../src/cli/schema.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** A CliIO whose output is kept in strings. */
function capture(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (s: string) => ((out.stdout += s), true) },
    stderr: { write: (s: string) => ((out.stderr += s), true) },
    env,
    cwd,
  } as unknown as CliIO;
  return { io, out };
}

describe('switchboard check-config', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sb-check-'));
    await writeFile(
      path.join(dir, 'bad.yaml'),
      'users:\n  - { id: alice, name: A, extension: "1" }\nnumbers:\n  - { number: "+12025550200", user: bob, colour: red }\n',
    );
    await writeFile(path.join(dir, 'warn.yaml'), 'users:\n  - { id: bob, name: B, extension: "1002", ring: [mobile] }\n');
    await writeFile(path.join(dir, 'syntax.yaml'), 'users: [\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('given the example config at the default path, when checked, then it prints ok with counts and exits 0', async () => {
    const { io, out } = capture(REPO);
    expect(await checkConfigCommand([], io)).toBe(0);
    expect(out.stdout).toMatchInlineSnapshot(`
      "config/switchboard.yaml: ok (5 users, 7 numbers, 3 ring groups, 1 distribution)
      "
    `);
    expect(out.stderr).toBe('');
  });

  it('given a config with errors, when checked, then every issue goes to stderr and it exits 2', async () => {
    const { io, out } = capture(dir);
    expect(await checkConfigCommand(['--config', 'bad.yaml'], io)).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatchInlineSnapshot(`
      "bad.yaml:2: users[0].extension: 1 must be an extension of 2 to 8 digits
      bad.yaml:4: numbers[0].colour: unknown key "colour"
      "
    `);
  });

  it('given a config with warnings only, when checked, then it is ok, warnings on stderr, exit 0', async () => {
    const { io, out } = capture(dir);
    expect(await checkConfigCommand(['--config=warn.yaml'], io)).toBe(0);
    expect(out.stdout).toBe('warn.yaml: ok (1 user, 0 numbers, 0 ring groups, 0 distributions)\n');
    expect(out.stderr).toMatchInlineSnapshot(`
      "warn.yaml:2: users[0].ring: warning: [mobile]: bob has none of these devices and can never be rung
      warn.yaml:2: users[0].ring[0]: warning: mobile is in bob's ring list, but bob has no mobile
      "
    `);
  });

  it.each([
    ['a YAML syntax error', ['--config', 'syntax.yaml'], 'syntax.yaml:2: YAML syntax error'],
    ['a missing file', ['--config', 'missing.yaml'], 'missing.yaml: cannot read config file: no such file'],
    ['an unknown option', ['--bogus', 'x'], 'usage: switchboard check-config'],
    ['a folder', ['--config', '.'], '.: cannot read config file: is a folder, not a file'],
  ])('given %s, when checked, then it exits 2 with a one-line reason and no stack trace', async (_, argv, expected) => {
    const { io, out } = capture(dir);
    expect(await checkConfigCommand(argv, io)).toBe(2);
    expect(out.stderr).toContain(expected);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('switchboard schema', () => {
  it('when run, then it prints a draft 2020-12 JSON Schema with the numbers property', async () => {
    const { io, out } = capture(REPO);
    expect(await schemaCommand([], io)).toBe(0);
    const schema = JSON.parse(out.stdout) as { $schema: string; $id: string; title: string; properties: Record<string, { items?: { properties?: object } }> };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBeTruthy();
    expect(schema.title).toBeTruthy();
    expect(schema.properties).toHaveProperty('numbers');
    expect(Object.keys(schema.properties['numbers']?.items?.properties ?? {})).toContain('forwardTo');
  });

  it('when run, then a user needs only an id and a name: every device is optional (spec section 1)', async () => {
    const { io, out } = capture(REPO);
    expect(await schemaCommand([], io)).toBe(0);
    const users = (JSON.parse(out.stdout) as { properties: Record<string, { items: { required: string[]; properties: object } }> }).properties['users']!.items;
    expect(users.required).toEqual(['id', 'name']);
    expect(Object.keys(users.properties)).toEqual(expect.arrayContaining(['extension', 'desk', 'app', 'mobile', 'ring', 'voicemail']));
  });

  it('given an argument, when run, then it exits 2 with usage', async () => {
    const { io, out } = capture(REPO);
    expect(await schemaCommand(['extra'], io)).toBe(2);
    expect(out.stderr).toContain('usage');
  });
});
