import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/call/record.js';
import { callsCommand, parseSince } from '../../src/cli/calls.js';
import type { CliIO } from '../../src/cli/io.js';
import { Store } from '../../src/store/index.js';
import { Capture } from '../support/cli.js';

function call(id: string, startedAt: string, extra: Partial<CallRecord> = {}): CallRecord {
  return {
    id, backend: 'asterisk', startedAt, from: '+12025550999', to: '+12025550200', outcome: 'answered',
    answeredBy: { user: 'alice', device: 'desk' },
    legs: [{ user: 'alice', device: 'desk', endpoint: '1001', rule: 'number-user', startedAt, result: 'answered', cause: 16 }],
    rules: ['number-user'], durationSeconds: 65, ringSeconds: 5, talkSeconds: 60, answeredAt: null, endedAt: null, detail: null, trace: [], passedOver: [], ...extra,
  };
}

let dir: string;
let out: Capture;
let err: Capture;
let io: CliIO;
const now = Date.now();
const ago = (ms: number) => new Date(now - ms).toISOString();

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sb-calls-'));
  writeFileSync(path.join(dir, 'sb.yaml'), 'storage: { sqlite: var/sb.db }\n');
  const store = await Store.open(path.join(dir, 'var/sb.db'));
  await store.calls.upsert(call('old', ago(3 * 86_400_000)));
  await store.calls.upsert(call('hour', ago(3_600_000), { from: null, outcome: 'voicemail', answeredBy: null, rules: ['number-user', 'forwarding'] }));
  await store.calls.upsert(call('new', ago(60_000), { outcome: null, durationSeconds: null }));
  await store.close();
  out = new Capture();
  err = new Capture();
  io = { stdout: out, stderr: err, env: {}, cwd: dir };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('switchboard calls', () => {
  it('given --json, then every CallRecord newest first', async () => {
    expect(await callsCommand(['--config', 'sb.yaml', '--json'], io)).toBe(0);
    const calls = JSON.parse(out.text) as CallRecord[];
    expect(calls.map((c) => c.id)).toEqual(['new', 'hour', 'old']);
    // Section 10: every row names its node (null for a controller whose config names none).
    expect(calls[2]).toEqual({ ...call('old', ago(3 * 86_400_000)), node: null });
  });

  it('given --node, then only the calls that node handled', async () => {
    const store = await Store.open(path.join(dir, 'var/sb.db'), { node: 'ast2' });
    await store.calls.upsert(call('other', ago(1000)));
    await store.close();
    expect(await callsCommand(['--config', 'sb.yaml', '--json', '--node', 'ast2'], io)).toBe(0);
    const calls = JSON.parse(out.text) as CallRecord[];
    expect(calls.map((c) => [c.id, c.node])).toEqual([['other', 'ast2']]);
    expect(await callsCommand(['--config', 'sb.yaml', '--node', ''], io)).toBe(2);
  });

  it.each([
    [['--since', '2h'], ['new', 'hour']],
    [['--since', '30m'], ['new']],
    [['--since', ago(2 * 86_400_000)], ['new', 'hour']],
    [['--limit', '1'], ['new']],
  ])('given %j, then only the calls asked for', async (args, ids) => {
    expect(await callsCommand(['--config', 'sb.yaml', '--json', ...args], io)).toBe(0);
    expect((JSON.parse(out.text) as CallRecord[]).map((c) => c.id)).toEqual(ids);
  });

  it('given no --json, then a table with time, from, to, rules, answered by, outcome and duration', async () => {
    expect(await callsCommand(['--config', 'sb.yaml'], io)).toBe(0);
    const [head, first, second, third] = out.text.trim().split('\n');
    expect(head).toMatch(/^TIME\s+FROM\s+TO\s+RULES\s+ANSWERED BY\s+OUTCOME\s+DURATION$/);
    expect(first).toMatch(/\+12025550999\s+\+12025550200\s+number-user\s+alice\/desk\s+in progress\s+-$/);
    expect(second).toMatch(/withheld\s+\+12025550200\s+number-user,forwarding\s+-\s+voicemail\s+1:05$/);
    expect(third).toMatch(/alice\/desk\s+answered\s+1:05$/);
  });

  it.each([
    [['--config', 'sb.yaml', '--since', 'yesterday']],
    [['--config', 'sb.yaml', '--since', '999999999w']],
    [['--config', 'sb.yaml', '--limit', '0']],
    [['--config', 'sb.yaml', '--bogus']],
    [['--config', 'missing.yaml']],
  ])('given %j, then exit 2 with one line', async (argv) => {
    expect(await callsCommand(argv, io)).toBe(2);
    expect(err.text).not.toBe('');
    if (argv.includes('--since')) expect(err.text.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('parseSince', () => {
  const at = new Date('2025-06-01T12:00:00Z');
  it.each([
    ['15m', '2025-06-01T11:45:00.000Z'],
    ['2h', '2025-06-01T10:00:00.000Z'],
    ['1d', '2025-05-31T12:00:00.000Z'],
    ['2025-05-01', '2025-05-01T00:00:00.000Z'],
    ['2025-05-01T08:30:00+02:00', '2025-05-01T06:30:00.000Z'],
  ])('given %s, then %s', (text, iso) => {
    expect(parseSince(text, at)?.toISOString()).toBe(iso);
  });
  it.each(['', 'soon', '15', '-1h', '2025-13-45', '999999999w', '+275760-09-14'])('given %j, then null', (text) => {
    expect(parseSince(text, at)).toBeNull();
  });
});
