/**
 * `switchboard schedule` and `switchboard block` on a temp config and store, and the controller's
 * in-memory copy (LiveState) picking their changes up from another connection.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockCommand } from '../../src/cli/block.js';
import type { Command } from '../../src/cli/io.js';
import { scheduleCommand } from '../../src/cli/schedule.js';
import { LiveState } from '../../src/runtime/live.js';
import { Store } from '../../src/store/index.js';
import { waitFor } from '../support/wait.js';
import { configFolder, runCli, type CliResult } from '../support/cli.js';

const CONFIG = `
schedules:
  - { id: office, timezone: America/New_York, open: [{ days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:30" }] }
  - { id: always, timezone: UTC, open: [{ days: [mon, tue, wed, thu, fri, sat, sun], from: "00:00", to: "24:00" }] }
numbers:
  - { number: "+12025550200", schedule: office }
blocked: ["+1900*"]
storage: { sqlite: "var/test.db" }
`;

const folder = configFolder('switchboard-schedule-', CONFIG);

const run = (command: Command, args: string[]): Promise<CliResult> => runCli(command, ['--config', 'switchboard.yaml', ...args], folder.path);

const quiet = { warn: () => undefined, info: () => undefined };

describe('switchboard schedule', () => {
  it('given no override, then each schedule is listed with its state now and why', async () => {
    const r = await run(scheduleCommand, ['--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.schedules.map((s: { id: string }) => s.id)).toEqual(['office', 'always']);
    expect(json.schedules[1]).toMatchObject({ id: 'always', open: true, why: 'hours', override: null });
  });

  it('given "office closed", then it is stored, shown, and a running controller sees it within a second', async () => {
    const store = await Store.open(path.join(folder.path, 'var/test.db'));
    const live = new LiveState(store, quiet);
    await live.start();
    try {
      expect(live.overrides.get('office')).toBeUndefined();
      const set = await run(scheduleCommand, ['office', 'closed']);
      expect(set).toMatchObject({ code: 0, stdout: 'schedule office: forced closed until "switchboard schedule office auto"\n' });
      await waitFor(() => live.overrides.get('office') === 'closed', 1000, 'the override to reach the live state');
      const shown = await run(scheduleCommand, []);
      expect(shown.stdout).toContain('schedule office is closed: forced closed by override');
      expect((await run(scheduleCommand, ['always', 'open'])).code).toBe(0);
      expect(JSON.parse((await run(scheduleCommand, ['--json'])).stdout).schedules[1]).toMatchObject({ open: true, why: 'override', override: 'open' });

      expect((await run(scheduleCommand, ['office', 'auto'])).stdout).toBe('schedule office: back to its calendar\n');
      await waitFor(() => live.overrides.get('office') === undefined, 1000, 'auto to reach the live state');
      expect(live.overrides.get('always')).toBe('open');
    } finally {
      await live.stop();
      await store.close();
    }
  });

  it.each([
    [['ofice', 'open'], 'switchboard schedule: unknown schedule "ofice" (did you mean "office"?) (the config has office, always)\n'],
    [['office', 'shut'], 'usage: switchboard schedule'],
    [['office'], 'usage: switchboard schedule'],
  ])('given %j, then exit 2 with a message', async (args, message) => {
    const r = await run(scheduleCommand, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('switchboard block', () => {
  it('given add, list and remove, then the run-time list changes and the live block list follows within a second', async () => {
    const store = await Store.open(path.join(folder.path, 'var/test.db'));
    const live = new LiveState(store, quiet);
    await live.start();
    const config = ['+1900*'];
    try {
      expect(live.blockList(config).match('+12025550666')).toBeNull();
      expect(live.blockList(config).match('+19005550000')).toBe('+1900*');
      expect(await run(blockCommand, ['add', '(202) 555-0666'])).toMatchObject({ code: 0, stdout: 'blocked +12025550666\n' });
      expect(await run(blockCommand, ['add', '+12025550666'])).toMatchObject({ code: 0, stdout: '+12025550666 was already blocked\n' });
      expect(await run(blockCommand, ['add', '+4479*'])).toMatchObject({ code: 0, stdout: 'blocked +4479*\n' });
      // Both adds reach the running state within a second (a sync may fall between them: wait for both).
      await waitFor(() => live.blockList(config).match('+12025550666') !== null && live.blockList(config).match('+447911123456') !== null, 1000, 'the blocks to reach the live state');
      expect(live.blockList(config).match('+447911123456')).toBe('+4479*');

      const list = JSON.parse((await run(blockCommand, ['--json'])).stdout);
      expect(list.map((r: { pattern: string; source: string }) => `${r.pattern} ${r.source}`)).toEqual(['+1900* config', '+12025550666 run-time', '+4479* run-time']);

      expect(await run(blockCommand, ['remove', '+12025550666'])).toMatchObject({ code: 0, stdout: 'unblocked +12025550666\n' });
      await waitFor(() => live.blockList(config).match('+12025550666') === null, 1000, 'the unblock to reach the live state');
    } finally {
      await live.stop();
      await store.close();
    }
  });

  it.each([
    [['remove', '+1900*'], `+1900* is not on the run-time block list (it is in the config's "blocked": remove it there)`],
    [['remove', '+12025550777'], '+12025550777 is not on the run-time block list'],
    [['add', '1900*'], '"1900*" is neither a phone number nor a prefix such as "+1900*"'],
    [['add', 'anonymous'], '"anonymous" is neither a phone number nor a prefix'],
    [['add', '+*'], '"+*" is neither'],
    [['drop', '+12025550666'], 'usage: switchboard block'],
  ])('given %j, then exit 2 with a message', async (args, message) => {
    const r = await run(blockCommand, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
