/**
 * `switchboard dnd` on a temp config and store (spec section 6), and the controller's in-memory copy
 * (LiveState) picking a change up from another connection within a second.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dndCommand } from '../../src/cli/dnd.js';
import { main } from '../../src/cli/main.js';
import { LiveState } from '../../src/runtime/live.js';
import { Store } from '../../src/store/index.js';
import { waitFor } from '../support/wait.js';
import { configFolder, runCli, type CliResult } from '../support/cli.js';

const CONFIG = `
users:
  - { id: alice, name: Alice Adams, extension: "1001" }
  - { id: bob, name: Bob Brown, extension: "1002" }
storage: { sqlite: "var/test.db" }
`;

const folder = configFolder('switchboard-dnd-', CONFIG);

const dnd = (...args: string[]): Promise<CliResult> => runCli(dndCommand, ['--config', 'switchboard.yaml', ...args], folder.path);

const quiet = { warn: () => undefined, info: () => undefined };

describe('switchboard dnd', () => {
  it('given nobody on DND, then the list says so', async () => {
    expect(await dnd()).toEqual({ code: 0, stdout: 'nobody is on do-not-disturb\n', stderr: '' });
    expect(JSON.parse((await dnd('--json')).stdout)).toEqual([]);
  });

  it('given "alice on", then it is stored with since when, survives reopening the store, and a running controller sees it within a second', async () => {
    const store = await Store.open(path.join(folder.path, 'var/test.db'));
    const live = new LiveState(store, quiet);
    await live.start();
    try {
      const before = Date.now();
      expect(await dnd('alice', 'on')).toMatchObject({ code: 0, stdout: 'alice is on do-not-disturb\n' });
      await waitFor(() => live.dnd.has('alice'), 1000, 'DND to reach the live state');
      const listed = JSON.parse((await dnd('--json')).stdout) as { user: string; since: string }[];
      expect(listed.map((r) => r.user)).toEqual(['alice']);
      expect(Date.parse(listed[0]!.since)).toBeGreaterThanOrEqual(before - 1000);
      expect((await dnd()).stdout).toBe(`alice  on do-not-disturb since ${listed[0]!.since}\n`);

      // Again: unchanged, and `since` is still the first time.
      expect((await dnd('alice', 'on')).stdout).toBe('alice was already on do-not-disturb\n');
      expect(JSON.parse((await dnd('--json')).stdout)[0].since).toBe(listed[0]!.since);

      expect(await dnd('alice', 'off')).toMatchObject({ code: 0, stdout: 'alice is off do-not-disturb\n' });
      await waitFor(() => !live.dnd.has('alice'), 1000, 'DND off to reach the live state');
      expect((await dnd('alice', 'off')).stdout).toBe('alice was not on do-not-disturb\n');
    } finally {
      await live.stop();
      await store.close();
    }
  });

  it('given a restart, then DND is still there', async () => {
    expect((await dnd('bob', 'on')).code).toBe(0);
    const store = await Store.open(path.join(folder.path, 'var/test.db'));
    try {
      expect((await store.dnd.list()).map((r) => r.userId)).toEqual(['bob']);
    } finally {
      await store.close();
    }
    expect((await dnd('bob', 'off')).code).toBe(0);
  });

  it.each([
    [['carol', 'on'], 'switchboard dnd: unknown user "carol"'],
    [['alise', 'on'], 'switchboard dnd: unknown user "alise" (did you mean "alice"?)'],
    [['alice', 'maybe'], 'switchboard dnd: "maybe" is neither "on" nor "off"'],
    [['alice', 'ON!'], 'switchboard dnd: "ON!" is neither "on" nor "off"'],
  ])('given bad input %j, then exit 2 with one line and nothing stored', async (args, line) => {
    const r = await dnd(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\n`);
    expect(JSON.parse((await dnd('--json')).stdout)).toEqual([]);
  });

  it('given a wrong number of arguments, then exit 2 with the usage line', async () => {
    const r = await dnd('alice');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is a command of the CLI', async () => {
    expect(await runCli(main, ['dnd', '--config', 'switchboard.yaml'], folder.path)).toMatchObject({ code: 0, stdout: 'nobody is on do-not-disturb\n' });
  });
});
