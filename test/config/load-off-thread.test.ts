/**
 * A reload parses its config on a worker thread (issue 11 item 16): the main thread keeps
 * handling calls while a large config is parsed, and the result (or ConfigError) is the same as
 * loadConfig's.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { loadConfigOffThread } from '../../src/config/load-off-thread.js';
import { ConfigError } from '../../src/errors.js';

/** A valid config of about 55 KB (400 users and numbers): about a second of parsing on this machine. */
function bigConfig(n: number): string {
  const users = Array.from({ length: n }, (_, i) => ({ id: `u${i}`, name: `User number ${i} with a long name`, extension: String(10000 + i) }));
  const numbers = Array.from({ length: n }, (_, i) => ({ number: `+1202${String(5000000 + i)}`, user: `u${i}`, ringSeconds: 20 }));
  return stringify({ company: { phone: '+12025550100' }, users, numbers, storage: { sqlite: ':memory:' } });
}

/** Event-loop turns (setImmediate) that happen while `work` runs. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ turns: number; result: T }> {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const result = await work();
  running = false;
  return { turns, result };
}

describe('loadConfigOffThread', () => {
  let dir: string;
  let big: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-offthread-'));
    big = join(dir, 'big.yaml');
    const text = bigConfig(400);
    expect(text.length).toBeGreaterThan(50_000);
    expect(text.length).toBeLessThan(1024 * 1024);
    await writeFile(big, text);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('given a large config, then it gives what loadConfig gives, and the main thread keeps turning meanwhile', async () => {
    const expected = await loadConfig(big, {});
    const onMain = await turnsDuring(() => loadConfig(big, {}));
    const offMain = await turnsDuring(() => loadConfigOffThread(big, {}));
    expect(offMain.result).toEqual(expected);
    // Parsing on the main thread leaves only the few turns of reading the file; off it, the loop
    // runs freely for as long as the parse takes.
    expect(offMain.turns).toBeGreaterThan(Math.max(50, onMain.turns * 5));
  });

  it('given a bad config, then the same ConfigError, issue for issue', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'company: { phone: "+12025550100" }\nnumbers:\n  - { number: "12", user: nobody }\n');
    const expected = (await loadConfig(bad, {}).catch((e: unknown) => e)) as ConfigError;
    const got = (await loadConfigOffThread(bad, {}).catch((e: unknown) => e)) as ConfigError;
    expect(got).toBeInstanceOf(ConfigError);
    expect(got.code).toBe(expected.code);
    expect(got.issues).toEqual(expected.issues);
  });
});
