/** The reload guard and the config watcher (issue 11 items 3 and 8), apart from a process. */
import { mkdtemp, rename, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { routesNothing, suspiciousShrink } from '../../src/config/reload-guard.js';
import { watchConfig } from '../../src/cli/watch-config.js';
import { waitFor } from '../support/wait.js';

const withNumbers = (n: number, users = 1) =>
  configSchema.parse({
    users: Array.from({ length: users }, (_, i) => ({ id: `u${i}`, name: `U${i}`, extension: `${100 + i}` })),
    numbers: Array.from({ length: n }, (_, i) => ({ number: `+1202555${String(1000 + i)}`, user: 'u0' })),
  });

describe('reload guard', () => {
  it('given an empty config, then it routes nothing', () => {
    expect(routesNothing(configSchema.parse({}))).toBe(true);
    expect(routesNothing(configSchema.parse({ company: { phone: '+12025550100' } }))).toBe(false);
  });

  it.each([
    [4, 1, 'numbers 4 -> 1'],
    [4, 2, null],
    [3, 1, 'numbers 3 -> 1'],
    [1, 0, 'numbers 1 -> 0'],
    [0, 5, null],
  ])('given %i numbers before and %i after, then %s', (before, after, expected) => {
    const why = suspiciousShrink(withNumbers(before), withNumbers(after));
    if (expected === null) expect(why).toBeNull();
    else expect(why).toContain(expected);
  });

  it('given users cut from 6 to 2, then it is suspicious', () => {
    expect(suspiciousShrink(withNumbers(2, 6), withNumbers(2, 2))).toContain('users 6 -> 2');
  });
});

describe('watchConfig', () => {
  it('given saves by rename over the file, then every one is seen (the folder is watched, not the inode)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-watch-'));
    const file = join(dir, 'switchboard.yaml');
    await writeFile(file, 'a: 1\n');
    let seen = 0;
    const w = watchConfig(file, () => seen++, { quietMs: 20 });
    try {
      for (let i = 1; i <= 3; i++) {
        await writeFile(join(dir, 'tmp'), `a: ${i + 1}\n`);
        await rename(join(dir, 'tmp'), file);
        await waitFor(() => seen >= i, 5000, `save ${i} seen`);
      }
    } finally {
      w.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('given a file written in steps, then the callback comes once, after the last step, with the whole file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-watch-'));
    const file = join(dir, 'switchboard.yaml');
    await writeFile(file, '');
    const { readFileSync } = await import('node:fs');
    const contents: string[] = [];
    const w = watchConfig(file, () => contents.push(readFileSync(file, 'utf8')), { quietMs: 300 });
    try {
      // Each step lands well inside the quiet period of the one before.
      for (let i = 0; i < 5; i++) {
        await appendFile(file, `k${i}: ${i}\n`);
        await new Promise((r) => setImmediate(r));
      }
      await waitFor(() => contents.length > 0, 5000, 'settled');
      expect(contents[0]).toBe('k0: 0\nk1: 1\nk2: 2\nk3: 3\nk4: 4\n');
    } finally {
      w.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
