/**
 * `switchboard explain` honours do-not-disturb (spec sections 5 and 6): a user on DND is passed
 * over with the reason in the trace, and her phones are in no step; off again, she is back.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { configFolder, runCli, type CliResult } from '../support/cli.js';

const CONFIG = `
company: { name: Acme, phone: "+12025550100", voicemail: "9000" }
users:
  - { id: alice, name: Alice Adams, extension: "1001" }
  - { id: bob, name: Bob Brown, extension: "1002" }
numbers:
  - { number: "+12025550200", user: alice, alsoRing: [bob] }
storage: { sqlite: "var/test.db" }
`;

const folder = configFolder('switchboard-explain-dnd-', CONFIG);

const cli = (...args: string[]): Promise<CliResult> => runCli(main, [...args, '--config', 'switchboard.yaml'], folder.path);

type Explained = { steps: { members: { user: string | null; targets: { device: string; endpoint?: string }[] }[] }[]; trace: string[] };
const explain = async (): Promise<Explained> => {
  const r = await cli('explain', '--to', '+12025550200', '--from', '+12025550999', '--json');
  expect(r).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(r.stdout) as Explained;
};
const rung = (e: Explained) => e.steps.flatMap((s) => s.members.map((m) => m.user));

describe('switchboard explain and do-not-disturb', () => {
  it('given alice on DND, then explain passes her over with the reason and rings only bob; off again, she rings', async () => {
    expect(rung(await explain())).toEqual(['alice', 'bob']);

    expect((await cli('dnd', 'alice', 'on')).code).toBe(0);
    const onDnd = await explain();
    expect(rung(onDnd)).toEqual(['bob']);
    expect(onDnd.trace).toContain('alice is passed over: do-not-disturb');
    // Explain has no PBX: it says so rather than guessing device states.
    expect(onDnd.trace.some((l) => l.startsWith('explain has no PBX'))).toBe(true);

    expect((await cli('dnd', 'alice', 'off')).code).toBe(0);
    expect(rung(await explain())).toEqual(['alice', 'bob']);
  });

  it('given no PBX to ask, then every device is unknown: desk phones are in the steps as targets, nobody is passed over for a device state, and the trace says so', async () => {
    const e = await explain();
    expect(e.steps[0]!.members.map((m) => [m.user, m.targets])).toEqual([
      ['alice', [{ device: 'desk', endpoint: '1001' }]],
      ['bob', [{ device: 'desk', endpoint: '1002' }]],
    ]);
    expect(e.trace.filter((l) => /not registered|on a call/.test(l))).toEqual([]);
    expect(e.trace).toContain('explain has no PBX: every device is treated as unknown (do-not-disturb is read from the store)');
  });
});
