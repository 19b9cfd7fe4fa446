/**
 * `switchboard explain` end to end on a temp config and store (spec section 5).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainCommand } from '../../src/cli/explain.js';
import { Store } from '../../src/store/index.js';
import { configFolder, runCli, type CliResult } from '../support/cli.js';

const CONFIG = `
company: { name: Acme Realty, phone: "+12025550100", voicemail: "9000" }
users:
  - { id: alice, name: Alice Adams, extension: "1001", desk: "1001", app: alice-app, mobile: "+12025550111", ring: [desk, mobile], voicemail: "1001" }
  - { id: bob, name: Bob Brown, extension: "1002" }
  - { id: carol, name: Carol Chen, extension: "1003", mobile: "+12025550113" }
  - { id: dave, name: Dave Diaz, mobile: "+12025550114" }
  - { id: erin, name: Erin Evans }
numbers:
  - { number: "+12025550200", user: alice, forwardTo: "+12025550300", forwardToCompany: false, alsoRing: [bob], ringSeconds: 25, fallthrough: true }
  - { number: "+12025550201", distribution: sales }
  - { number: "+12025550204", user: dave }
  - { number: "+12025550205", user: erin, forwardTo: "+12025550301" }
ringGroups:
  - { id: sales-rr, strategy: round-robin, members: [alice, bob, carol], ringSeconds: 40 }
distributions:
  - { id: sales, steps: [sales-rr] }
storage: { sqlite: "var/test.db" }
`;

const folder = configFolder('switchboard-explain-', CONFIG);

const explain = (args: string[]): Promise<CliResult> => runCli(explainCommand, args, folder.path);

beforeAll(async () => {
  await writeFile(path.join(folder.path, 'bad.yaml'), CONFIG.replace('ringSeconds: 25', 'ringSeconds: "soon"'));
  const store = await Store.open(path.join(folder.path, 'var/test.db'));
  await store.contacts.upsertBatch([{ phone: '+12025550999', name: 'Known Caller', owner: 'bob', fields: {} }]);
  await store.close();
});

describe('switchboard explain', () => {
  it('given a known caller, when explained with --json, then exit 0 and the spec section 5 shape', async () => {
    const r = await explain(['--config', 'switchboard.yaml', '--to', '2025550200', '--from', '+1 (202) 555-0999', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.from).toBe('+12025550999');
    expect(json.to).toBe('+12025550200');
    expect(json.contact).toEqual({ phone: '+12025550999', owner: 'bob' });
    expect(json.steps.map((s: { rule: string }) => s.rule)).toEqual(['number-user', 'forwarding']);
    expect(json.steps[0].members[0]).toEqual({ user: 'alice', targets: [{ device: 'desk', endpoint: '1001' }, { device: 'mobile', number: '+12025550111' }] });
    expect(json.final).toEqual({ action: 'voicemail', mailbox: '1001' });
    expect(json.trace).toContain('number +12025550200 is assigned to alice');
  });

  it.each([['anonymous'], ['restricted'], ['']])('given --from %j (withheld), then from and contact are null', async (from) => {
    const r = await explain(['--config', 'switchboard.yaml', '--to', '+12025550200', '--from', from, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.from).toBeNull();
    expect(json.contact).toBeNull();
  });

  it.each([
    ['a bad --to', ['--to', '12ab']],
    ['a missing --to', []],
    ['a bad --from', ['--to', '+12025550200', '--from', 'bob@example']],
  ])('given %s, then exit 2 with one line on stderr', async (_name, args) => {
    const r = await explain(['--config', 'switchboard.yaml', ...args, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^switchboard explain: /);
    if (_name !== 'a missing --to') expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('given a bad config, then exit 2 and the first line names the file and the key', async () => {
    const r = await explain(['--config', 'bad.yaml', '--to', '+12025550200']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/bad\.yaml:\d+: numbers\[0\]\.ringSeconds/);
  });

  it('given a round-robin number explained twice, then the same member both times and no cursor moved', async () => {
    const a = JSON.parse((await explain(['--config', 'switchboard.yaml', '--to', '+12025550201', '--json'])).stdout);
    const b = JSON.parse((await explain(['--config', 'switchboard.yaml', '--to', '+12025550201', '--json'])).stdout);
    expect(a.steps[0].members[0].user).toBe('alice');
    expect(b.steps[0].members[0].user).toBe('alice');
    expect(a.steps[0].group).toBe('sales-rr');
    const store = await Store.open(path.join(folder.path, 'var/test.db'));
    try {
      expect(await store.cursors.peek()).toEqual(new Map());
    } finally {
      await store.close();
    }
  });

  it('given no --json, then the text form shows the trace, the steps and the final action', async () => {
    const r = await explain(['--config', 'switchboard.yaml', '--to', '+12025550200', '--from', 'anonymous']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('trace:');
    expect(r.stdout).toContain('1. number-user (simultaneous, 25s)');
    expect(r.stdout).toContain('final: voicemail, mailbox 1001');
  });
});

describe('explain --json: users without a desk phone (spec section 1)', () => {
  it('given a mobile-only user, then she rings on her mobile and the company mailbox follows', async () => {
    const { code, stdout } = await explain(['--config', 'switchboard.yaml', '--to', '+12025550204', '--from', '+12025550990', '--json']);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    expect(plan.steps).toEqual([
      { rule: 'number-user', strategy: 'simultaneous', ringSeconds: 20, members: [{ user: 'dave', targets: [{ device: 'mobile', number: '+12025550114' }] }] },
    ]);
    expect(plan.final).toEqual({ action: 'voicemail', mailbox: '9000' });
  });

  it('given a user with no device, then she is passed over and the forwarding number takes the call', async () => {
    const { code, stdout } = await explain(['--config', 'switchboard.yaml', '--to', '+12025550205', '--from', '+12025550990', '--json']);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    expect(plan.steps.map((s: { rule: string }) => s.rule)).toEqual(['forwarding']);
    expect(plan.steps[0].members[0].targets).toEqual([{ device: 'forward', number: '+12025550301' }]);
    expect(plan.final).toEqual({ action: 'voicemail', mailbox: '9000' });
    expect(plan.trace).toContain('erin is passed over: no device');
  });
});
