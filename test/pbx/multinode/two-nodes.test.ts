/**
 * The two-controller proof (spec section 10): two controllers, each on its own real Asterisk,
 * sharing one PostgreSQL. Calls are placed alternately into each Asterisk's trunk context
 * ([from-trunk]) to a number whose distribution is a 3-member round-robin group: every member
 * gets N/3 +-1 calls, never the same member twice in a row across the nodes, and every call has
 * exactly one row naming the node that handled it.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CallRecord } from '../../../src/call/record.js';
import { configSchema } from '../../../src/config/schema.js';
import { Controller } from '../../../src/controller.js';
import { silentLogger } from '../../../src/log.js';
import { PostgresStore } from '../../../src/store/postgres/index.js';
import { behaviourValue, TEST_DEVICE_DIALS } from '../asterisk/harness.js';
import { AsteriskInstance } from '../asterisk/instance.js';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { locatePostgres, startPostgres, type RunningPostgres } from '../../support/postgres.js';
import { waitFor } from '../../support/wait.js';

const asterisk = locateAsterisk();
const postgres = locatePostgres();
const located = 'missing' in asterisk ? asterisk : 'missing' in postgres ? postgres : asterisk;
const TO = '+12025550300';
const CALLS = 12;
const MEMBERS = ['alice', 'bob', 'carol'];

interface Node {
  name: string;
  pbx: AsteriskInstance;
  store: PostgresStore;
  controller: Controller;
}

describePbx('two controllers on two real Asterisks sharing one PostgreSQL', located, () => {
  if ('missing' in asterisk || 'missing' in postgres) return;
  let db: RunningPostgres;
  const nodes: Node[] = [];
  const ended = new EventEmitter();

  beforeAll(async () => {
    db = await startPostgres(postgres);
    const url = await db.createDatabase('two_nodes');
    // Started together: the migrations run once under their lock.
    const pbxs = await Promise.all(['ast1', 'ast2'].map(() => AsteriskInstance.start(asterisk)));
    const stores = await Promise.all(['ast1', 'ast2'].map((name) => PostgresStore.open(url, { node: name, log: silentLogger(), lockNode: true })));
    for (const [i, name] of ['ast1', 'ast2'].entries()) {
      const pbx = pbxs[i]!;
      const config = configSchema.parse({
        ...TEST_DEVICE_DIALS,
        node: name,
        users: MEMBERS.map((id, k) => ({ id, name: id, extension: `10${k + 1}0` })),
        ringGroups: [{ id: 'crew', strategy: 'round-robin', members: MEMBERS }],
        distributions: [{ id: 'd', steps: ['crew'], unanswered: 'hangup' }],
        numbers: [{ number: TO, distribution: 'd' }],
        asterisk: { url: pbx.ariUrl, username: pbx.ariUser, password: pbx.ariPassword, app: 'switchboard', requestTimeoutMs: 3000 },
      });
      // Every phone answers after 0.2 s and talks for 0.3 s, on both PBXs.
      for (const k of [1, 2, 3]) {
        const r = await pbx.ari('POST', '/asterisk/variable', { variable: `SBPHONE_10${k}0`, value: behaviourValue({ kind: 'answer', afterMs: 200, talkMs: 300 }) });
        if (r.status !== 204) throw new Error(`setting phone behaviour: ARI ${r.status}`);
      }
      const controller = await Controller.start({
        loaded: { config, file: `${name}.yaml`, dir: '.', sqlitePath: ':memory:', warnings: [] },
        log: silentLogger(),
        store: stores[i]!,
        observer: { callEnded: (r) => ended.emit(r.id, r) },
      });
      await waitFor(async () => (await pbx.ari('GET', '/applications/switchboard')).status === 200, 10_000, `Stasis app registered on ${name}`);
      nodes.push({ name, pbx, store: stores[i]!, controller });
    }
  });

  afterAll(async () => {
    for (const n of nodes) {
      await n.controller.stop(2000).catch(() => undefined);
      await n.store.close().catch(() => undefined);
    }
    for (const n of nodes) await n.pbx.stop();
    await db?.stop();
  });

  it(`given ${CALLS} calls placed alternately into each Asterisk's trunk, then round robin is exact across the nodes and each call has one row naming its node`, async () => {
    const answered: { node: string; user: string }[] = [];
    for (let i = 0; i < CALLS; i++) {
      const node = nodes[i % 2]!;
      const callId = `sb-call-${randomUUID()}`;
      const done = new Promise<CallRecord>((resolve) => ended.once(callId, resolve));
      // As the scenario harness does: the ;2 half of the Local channel enters [from-trunk].
      const res = await node.pbx.ari('POST', '/channels', {
        endpoint: `Local/${TO}@from-trunk`,
        context: 'sim-caller',
        extension: 'talk',
        priority: 1,
        channelId: `sb-pstn-${randomUUID()}`,
        otherChannelId: callId,
        timeout: 60,
        callerId: `+1202555${String(1000 + i)}`,
      });
      expect(res.status).toBe(200);
      const record = await Promise.race([done, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`call ${i} on ${node.name} did not end within 20 s`)), 20_000))]);
      expect(record.outcome).toBe('answered');
      answered.push({ node: node.name, user: record.answeredBy!.user! });
    }
    const users = answered.map((a) => a.user);
    for (let i = 1; i < users.length; i++) expect(users[i], `call ${i} (${answered[i]!.node}) after ${answered[i - 1]!.node}`).not.toBe(users[i - 1]);
    for (const m of MEMBERS) {
      const n = users.filter((u) => u === m).length;
      expect(Math.abs(n - CALLS / 3), `${m}: ${n} calls`).toBeLessThanOrEqual(1);
    }
    // One row per call, each naming its node (read through one node: the log is shared).
    const rows = await nodes[0]!.store.calls.list();
    expect(rows.length).toBe(CALLS);
    expect(rows.filter((r) => r.node === 'ast1').length).toBe(CALLS / 2);
    expect(rows.filter((r) => r.node === 'ast2').length).toBe(CALLS / 2);
    expect((await nodes[1]!.store.calls.list({ node: 'ast2' })).every((r) => r.node === 'ast2')).toBe(true);
  });
});
