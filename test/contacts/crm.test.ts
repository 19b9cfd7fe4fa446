import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmLookup } from '../../src/contacts/crm.js';
import { resolveContact } from '../../src/contacts/resolve.js';
import { Store } from '../../src/store/index.js';

/** A CRM whose answer depends on the caller asked about. */
const ANSWERS: Record<string, (res: ServerResponse) => void> = {
  '+12025550101': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"owner":"bob"}'),
  '+12025550102': (res) => res.writeHead(404).end('not found'),
  '+12025550103': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"owner": bo'),
  '+12025550104': () => undefined, // never answers
  '+12025550105': (res) => res.writeHead(200, { 'content-type': 'application/json' }).write('{"owner":'), // headers, then stalls
  '+12025550106': (res) => res.writeHead(200).end('{"owner":42}'),
  '+12025550107': (res) => res.writeHead(500).end('{"owner":"bob"}'),
  '+12025550108': (res) => res.writeHead(200).end('{"owner":null}'),
  '+12025550109': (res) => res.writeHead(200).end('{"owner":"zed"}'),
};

let server: Server;
let base: string;
const queries: string[] = [];
const warnings: { obj: object; msg: string }[] = [];
const log = { warn: (obj: object, msg: string) => void warnings.push({ obj, msg }) };

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    queries.push(url.search);
    (ANSWERS[url.searchParams.get('phone') ?? ''] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The first fetch of a process loads undici's HTTP stack (hundreds of ms on a busy machine),
  // which would eat the lookups' 200 ms budget in the first case: pay it here, once.
  await fetch(`${base}/warm-up`).then((r) => r.text());
  queries.length = 0;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('createCrmLookup', () => {
  // 1 s: a cold first request on a loaded 2-core machine can take longer than 200 ms.
  const lookup = () => createCrmLookup({ url: `${base}/owner?phone={caller}`, timeoutMs: 1000 }, log);

  it.each([
    ['an owner', '+12025550101', 'bob', false],
    ['404 (unknown caller)', '+12025550102', null, false],
    ['an explicit null owner', '+12025550108', null, false],
    ['garbage JSON', '+12025550103', null, true],
    ['an owner of the wrong type', '+12025550106', null, true],
    ['HTTP 500', '+12025550107', null, true],
    ['a server that never answers', '+12025550104', null, true],
    ['a server that stalls the body after the headers', '+12025550105', null, true],
  ])('given %s, then it resolves %s', async (_what, phone, expected, logged) => {
    warnings.length = 0;
    await expect(lookup()(phone)).resolves.toBe(expected);
    expect(warnings.length > 0).toBe(logged);
  });

  it('given a caller, then the phone is URL-encoded into the url', async () => {
    queries.length = 0;
    await lookup()('+12025550101');
    expect(queries).toEqual(['?phone=%2B12025550101']);
  });

  it('given a CRM that is down, then it resolves null and logs why', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const port = (down.address() as AddressInfo).port;
    await new Promise((resolve) => down.close(resolve));
    warnings.length = 0;
    await expect(createCrmLookup({ url: `http://127.0.0.1:${port}/?p={caller}`, timeoutMs: 500 }, log)('+12025550101')).resolves.toBeNull();
    expect(warnings).toHaveLength(1);
  });
});

describe('resolveContact', () => {
  let store: Store;
  const users = new Set(['alice', 'bob']);
  beforeAll(async () => {
    store = await Store.open(':memory:');
    await store.contacts.upsertBatch([
      { phone: '+12025550201', name: 'Known', owner: 'alice', fields: {} },
      { phone: '+12025550101', name: 'No owner', owner: null, fields: {} },
      { phone: '+12025550202', name: 'Gone', owner: 'zed', fields: {} },
    ]);
  });
  afterAll(() => store.close());

  it('given a withheld caller, then null without asking anyone', async () => {
    const crm = async () => 'bob';
    expect(await resolveContact({ store, crm, users }, null)).toBeNull();
  });

  it('given a contact with an owner, then the store answers and the CRM is not asked', async () => {
    const asked: string[] = [];
    const crm = async (p: string) => (asked.push(p), 'bob');
    expect(await resolveContact({ store, crm, users }, '+12025550201')).toEqual({ phone: '+12025550201', owner: 'alice' });
    expect(asked).toEqual([]);
  });

  it('given a contact without an owner, then the CRM (over HTTP) decides', async () => {
    const crm = createCrmLookup({ url: `${base}/owner?phone={caller}`, timeoutMs: 500 }, log);
    expect(await resolveContact({ store, crm, users }, '+12025550101')).toEqual({ phone: '+12025550101', owner: 'bob' });
    expect(await resolveContact({ store, crm, users }, '+12025550102')).toBeNull();
  });

  it.each([
    ['the store', '+12025550202', false],
    ['the CRM', '+12025550109', true],
  ])('given an owner from %s that is not a configured user, then null and a warning', async (_from, phone, withCrm) => {
    warnings.length = 0;
    const crm = withCrm ? createCrmLookup({ url: `${base}/owner?phone={caller}`, timeoutMs: 500 }) : undefined;
    expect(await resolveContact({ store, crm, users, log }, phone)).toBeNull();
    expect(warnings.some((w) => /not a configured user/.test(w.msg))).toBe(true);
  });

  it('given no CRM and no contact, then null', async () => {
    expect(await resolveContact({ store, users: new Map([['alice', {}]]) }, '+12025550999')).toBeNull();
  });
});
