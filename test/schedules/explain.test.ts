/**
 * `switchboard explain --at` and the JSON it gains (spec sections 5, 7, 9), on a temp config and
 * store: Christmas Day gives the whenClosed route, overrides and run-time blocks in the store apply.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainCommand } from '../../src/cli/explain.js';
import { Store } from '../../src/store/index.js';
import { configFolder, runCli } from '../support/cli.js';

const CONFIG = `
company: { name: Acme, phone: "+12025550100", voicemail: "9000" }
users:
  - { id: alice, name: Alice, extension: "1001" }
schedules:
  - id: office
    timezone: America/New_York
    open:
      - { days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:30" }
    closed:
      - { date: "12-25", name: Christmas Day }
numbers:
  - number: "+12025550200"
    user: alice
    schedule: office
    label: Sales
    whenClosed: { forwardTo: "+12025550399", ringSeconds: 30 }
  - { number: "+12025550206", user: alice, withheld: block }
blocked: ["+1900*"]
storage: { sqlite: "var/test.db" }
`;

const folder = configFolder('switchboard-explain-at-', CONFIG);

async function explain(args: string[]): Promise<{ code: number; json: Record<string, any>; stdout: string; stderr: string }> {
  const r = await runCli(explainCommand, ['--config', 'switchboard.yaml', ...args], folder.path);
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(r.stdout);
  } catch {
    /* text output */
  }
  return { ...r, json };
}

beforeAll(async () => {
  const store = await Store.open(path.join(folder.path, 'var/test.db'));
  await store.contacts.upsertBatch([{ phone: '+12025550999', name: "O'Brien & Co: Zoë", owner: 'alice', fields: {} }]);
  await store.close();
});

describe('explain --at', () => {
  it('given Christmas Day (local time of the schedule), then the whenClosed route, and schedule in the JSON', async () => {
    const r = await explain(['--to', '+12025550200', '--from', '+12025550999', '--at', '2026-12-25T10:00', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.schedule).toEqual({ id: 'office', open: false, why: 'closed: Christmas Day' });
    expect(r.json.blocked).toBe(false);
    expect(r.json.steps).toEqual([{ rule: 'closed', strategy: 'simultaneous', ringSeconds: 30, members: [{ user: null, targets: [{ device: 'forward', number: '+12025550399' }] }] }]);
    expect(r.json.final).toEqual({ action: 'voicemail', mailbox: '9000' });
    expect(r.json.callerName).toBe("Sales: O'Brien & Co: Zoë");
    expect(r.json.trace).toContain('schedule office is closed: Christmas Day');
    expect(r.json.trace).toContain('local time in America/New_York: 2026-12-25 10:00 fri');
  });

  it('given an offset, then that instant (15:00Z on a Tuesday is 10:00 in New York: open)', async () => {
    const r = await explain(['--to', '+12025550200', '--from', '+12025550999', '--at', '2026-12-01T15:00Z', '--json']);
    expect(r.json.schedule).toEqual({ id: 'office', open: true, why: 'hours' });
    expect(r.json.steps[0].rule).toBe('number-user');
  });

  it('given a number without a schedule, then --at changes nothing and schedule is null', async () => {
    const a = await explain(['--to', '+12025550206', '--from', '+12025550999', '--at', '2026-12-25T10:00', '--json']);
    const b = await explain(['--to', '+12025550206', '--from', '+12025550999', '--json']);
    expect(a.json.schedule).toBeNull();
    expect(a.json.steps).toEqual(b.json.steps);
  });

  it('given a bad --at, then exit 2 with one line', async () => {
    const r = await explain(['--to', '+12025550200', '--at', 'next tuesday', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('switchboard explain: --at: "next tuesday" is not a time: write ISO 8601 such as 2026-12-24T18:30 (local to the schedule) or 2026-12-24T18:30Z\n');
  });

  it('given an override in the store, then explain honours it at any --at', async () => {
    const store = await Store.open(path.join(folder.path, 'var/test.db'));
    await store.overrides.set('office', 'open');
    await store.close();
    try {
      const r = await explain(['--to', '+12025550200', '--from', '+12025550999', '--at', '2026-12-25T10:00', '--json']);
      expect(r.json.schedule).toEqual({ id: 'office', open: true, why: 'override' });
      expect(r.json.trace).toContain('schedule office is open: forced open by override');
    } finally {
      const s = await Store.open(path.join(folder.path, 'var/test.db'));
      await s.overrides.set('office', null);
      await s.close();
    }
  });
});

describe('explain for a blocked caller', () => {
  it.each([
    ['a prefix in the config', ['--from', '+19005551234', '--to', '+12025550200']],
    ['a withheld caller on a withheld: block number', ['--from', 'anonymous', '--to', '+12025550206']],
    ['no --from on a withheld: block number', ['--to', '+12025550206']],
  ])('given %s, then blocked true, no steps, hang up, exit 0', async (_what, args) => {
    const r = await explain([...args, '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ blocked: true, steps: [], final: { action: 'hangup' }, contact: null });
  });

  it('given a run-time block in the store, then explain says blocked too; the text form says so', async () => {
    const store = await Store.open(path.join(folder.path, 'var/test.db'));
    await store.blocked.add('+12025550999');
    await store.close();
    const r = await explain(['--to', '+12025550200', '--from', '+12025550999']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('blocked: the call is refused (cause 21)');
    expect(r.stdout).toContain('caller +12025550999 is on the block list: blocked');
  });
});
