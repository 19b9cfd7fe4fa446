/** Call-log retention (issue 11 item 16): finished rows past `storage.keepCallsDays` are deleted, calls in progress never. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/call/record.js';
import { silentLogger } from '../../src/log.js';
import { CallRetention } from '../../src/store/retention.js';
import { Store } from '../../src/store/index.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW - d * 86_400_000).toISOString();
const row = (id: string, startedAt: string, outcome: CallRecord['outcome']): CallRecord => ({
  id, backend: 'asterisk', startedAt, from: '+12025550999', to: '+12025550200', outcome, answeredBy: null, legs: [], rules: [],
  durationSeconds: outcome ? 1 : null, ringSeconds: null, talkSeconds: null, answeredAt: null, endedAt: outcome ? startedAt : null, detail: null, trace: [],
} as unknown as CallRecord);

describe('call-log retention', () => {
  let store: Store;
  beforeEach(async () => {
    store = await Store.open(':memory:');
  });
  afterEach(() => store.close());

  it('given rows of 400, 100 and 1 days ago and an old call still in progress, when pruned with 90 days, then only the old finished row goes', async () => {
    await store.calls.upsert(row('old', daysAgo(400), 'answered'));
    await store.calls.upsert(row('mid', daysAgo(100), 'voicemail'));
    await store.calls.upsert(row('new', daysAgo(1), 'answered'));
    await store.calls.upsert(row('stuck', daysAgo(400), null));
    let keep = 365;
    const retention = new CallRetention(store.calls, () => keep, silentLogger(), () => NOW);
    await retention.runOnce();
    expect((await store.calls.list()).map((c) => c.id).sort()).toEqual(['mid', 'new', 'stuck']);
    keep = 90; // a reload changed the setting: the next run uses it
    await retention.runOnce();
    expect((await store.calls.list()).map((c) => c.id).sort()).toEqual(['new', 'stuck']);
    await retention.stop();
  });
});
