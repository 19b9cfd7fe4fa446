/**
 * Scale-out on this machine (spec section 10, issue 19): Kamailio (the shipped config and its
 * health watcher) in front of two real Asterisks, a `switchboard run` beside each sharing one
 * PostgreSQL, a SIPp carrier sending to Kamailio and SIPp desk phones registered on both. In
 * order, on one site: the allow list and pike; calls spread over both nodes; round robin exact
 * across nodes; one Asterisk killed mid-run loses no new call and its open
 *   call ends `failed` 30 s later; started again, it takes calls again; a controller stopped
 *   while its Asterisk runs takes its node out and no call lands in a fail-safe route; every call
 *   placed has exactly one call-log row.
 * Bounded: every wait has a deadline, and the whole file takes about two minutes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../support/wait.js';
import { describePbx, locateAsterisk, type AsteriskInstall } from '../support/locate.js';
import { locatePostgres, startPostgres, type PostgresInstall, type RunningPostgres } from '../../support/postgres.js';
import { locateKamailio, locateSipp, type KamailioInstall } from '../kamailio/locate.js';
import { AriObserver } from '../asterisk/observer.js';
import { Cluster, SITE_NUMBER, type LoggedCall } from './cluster.js';
import { freeUdpPort } from '../asterisk/instance.js';
import { createSocket } from 'node:dgram';

const asterisk = locateAsterisk();
const kamailio = locateKamailio();
const sipp = locateSipp();
const postgres = locatePostgres();
const missing = [asterisk, kamailio, sipp, postgres].find((x) => 'missing' in x);

/** The number whose distribution is a three-member round-robin group. */
const RR_NUMBER = '+12025550300';
const MEMBERS = ['alice', 'bob', 'carol'];

const CONFIG = () => ({
  company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
  users: MEMBERS.map((id, i) => ({ id, name: id, extension: `100${i + 1}` })),
  ringGroups: [{ id: 'rr', strategy: 'round-robin', members: MEMBERS, ringSeconds: 10 }],
  distributions: [{ id: 'sales', steps: ['rr'], unanswered: 'hangup' }],
  numbers: [
    { number: SITE_NUMBER, user: 'alice', ringSeconds: 10, unanswered: 'hangup', forwardToCompany: false },
    { number: RR_NUMBER, distribution: 'sales' },
  ],
  endpoints: { asterisk: 'PJSIP/{endpoint}' },
  trunks: { default: { asterisk: 'PJSIP/{number}@carrier' } },
});

// The scenarios build on each other (one site, one story): a retry would replay a step on a site
// that has moved on, so none is retried.
const once = (timeout = 60_000) => ({ retry: 0, timeout });

const byNode = (calls: LoggedCall[]) => calls.reduce<Record<string, number>>((m, c) => ({ ...m, [c.node]: (m[c.node] ?? 0) + 1 }), {});

describePbx('two Asterisks behind Kamailio, a controller beside each', missing ?? {}, () => {
  if (missing) return;
  let site: Cluster;
  let db: RunningPostgres;
  const placed: string[] = [];
  let observer2: AriObserver;

  beforeAll(async () => {
    // One PostgreSQL shared by both controllers, each named by `node:` (spec section 10).
    db = await startPostgres(postgres as PostgresInstall);
    const url = await db.createDatabase('multinode');
    site = new Cluster(asterisk as AsteriskInstall, kamailio as KamailioInstall, CONFIG, { phones: ['1001', '1002', '1003'], postgres: url });
    await site.start();
    observer2 = await AriObserver.connect(site.nodes[1]!.ast);
  }, 150_000);

  afterAll(async () => {
    observer2?.close();
    await site?.stop();
    await db?.stop();
  }, 60_000);

  /** Place calls through Kamailio and wait until each is over; returns SIPp's exit code. */
  async function place(n: number, opts: { talkMs?: number; port?: number; to?: string } = {}): Promise<{ callers: string[]; code: number | null }> {
    const callers = site.callers(n);
    placed.push(...callers);
    const b = site.carrier(callers, { talkMs: opts.talkMs ?? 300, port: opts.port ?? site.carrierPorts[0]!, rate: 2, ...(opts.to ? { to: opts.to } : {}) });
    const code = await Promise.race([b.done, new Promise<'late'>((r) => setTimeout(() => r('late'), 60_000))]);
    if (code === 'late') throw new Error(`SIPp carrier still running after 60 s\n${site.kam.logTail(20)}`);
    return { callers, code };
  }

  /** Wait until every caller's call has ended in some controller's log. */
  const ended = (callers: string[], ms = 20_000) =>
    waitFor(() => {
      const calls = site.callsOf(callers);
      return calls.length >= callers.length && calls.every((c) => c.outcome) && calls;
    }, ms, `${callers.length} calls ended in the controllers' logs`);

  it('given a source not on the allow list, or a number not of the site, then 403 and no call', once(), async () => {
    const stranger = await freeUdpPort();
    const refused = site.callers(2);
    const a = site.carrier([refused[0]!], { talkMs: 100, port: stranger });
    const b = site.carrier([refused[1]!], { talkMs: 100, port: site.carrierPorts[0]!, to: '+4930123456' });
    // The scenario counts a refusal as a failed call: exit status 1.
    expect(await a.done).toBe(1);
    expect(await b.done).toBe(1);
    expect(site.kam.logTail(50)).toMatch(/refused INVITE for '\+4930123456'.*not a number of this site/);
    expect(site.kam.logTail(50)).toMatch(new RegExp(`refused INVITE from 127\\.0\\.0\\.1:${stranger}: not an allowed carrier`));
    expect(site.callsOf(refused)).toEqual([]);
  });

  it('given a flood from an unknown source, then pike drops it without replies, and the carrier is not blocked', once(), async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    let replies = 0;
    sock.on('message', () => replies++);
    const port = sock.address().port;
    for (let i = 0; i < 300; i++) {
      sock.send(`OPTIONS sip:127.0.0.1:${site.kam.sipPort} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKflood${i}\r\nFrom: <sip:x@127.0.0.1>;tag=${i}\r\nTo: <sip:127.0.0.1>\r\nCall-ID: flood-${i}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`, site.kam.sipPort, '127.0.0.1');
    }
    await waitFor(() => /PIKE - BLOCKing ip 127\.0\.0\.1/.test(site.kam.logTail(100_000)), 10_000, 'pike blocking the flood');
    sock.close();
    // Every reply is a 403: dropped requests get none.
    expect(replies).toBeLessThan(300);
  });

  it('given both nodes up, then calls spread over both, alternating, and each is answered', once(), async () => {
    const { callers, code } = await place(6);
    expect(code).toBe(0);
    const calls = await ended(callers);
    expect(calls.map((c) => c.outcome)).toEqual(Array(6).fill('answered'));
    expect(byNode(calls)).toEqual({ ast1: 3, ast2: 3 });
  });

  it('given a round-robin group on one shared PostgreSQL, then it is exact across nodes: never the same member twice in a row, each N/3 +-1', once(), async () => {
    const N = 12;
    const { callers, code } = await place(N, { to: RR_NUMBER });
    expect(code).toBe(0);
    const logged = await ended(callers);
    expect(byNode(logged)).toEqual({ ast1: N / 2, ast2: N / 2 });
    const mine = new Set(callers);
    const rows = (await site.callLog(site.nodes[0]!)).filter((r) => r.from && mine.has(r.from)).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    expect(rows).toHaveLength(N);
    // Each row names the node whose controller handled the call. (By caller: two Asterisks
    // started together hand out the same channel ids, which is why the store keys rows by node.)
    const nodeOf = new Map(logged.map((c) => [c.from, c.node]));
    for (const r of rows) expect(r.node).toBe(nodeOf.get(r.from!));
    const order = rows.map((r) => r.answeredBy?.user);
    for (let i = 1; i < order.length; i++) expect(order[i], `calls ${i} and ${i + 1}: ${order.join(' ')}`).not.toBe(order[i - 1]);
    for (const m of MEMBERS) expect(Math.abs(order.filter((u) => u === m).length - N / 3)).toBeLessThanOrEqual(1);
  });

  it('given one Asterisk killed mid-run, then no new call is lost, and its open call ends failed 30 s later', once(120_000), async () => {
    const [ast1, ast2] = site.nodes as [typeof site.nodes[0], typeof site.nodes[0]];
    // Two long calls, one on each node (round robin).
    const long = site.callers(2);
    placed.push(...long);
    const talking = site.carrier(long, { talkMs: 40_000, port: site.carrierPorts[1]!, rate: 5 });
    const up = await waitFor(() => {
      const calls = site.callsOf(long);
      return calls.length === 2 && calls;
    }, 15_000, 'both long calls taken');
    expect(byNode(up)).toEqual({ ast1: 1, ast2: 1 });
    // Bridged (talking), not still ringing: a ringing call would end by its own ring time.
    await waitFor(async () => {
      const r = await ast1.ast.ari('GET', '/bridges');
      return r.status === 200 && (r.body as { channels: string[] }[]).some((b) => b.channels.length === 2);
    }, 10_000, 'the call on ast1 bridged');
    const haltedAt = Date.now();
    // Killed: a node that dies says nothing (a clean stop would hang its calls up itself).
    await ast1.ast.halt('SIGKILL');

    // New calls right away: the first may still be sent to ast1 (no probe yet) and must fail over.
    const { callers, code } = await place(4);
    expect(code).toBe(0);
    const calls = await ended(callers);
    expect(calls.map((c) => [c.node, c.outcome])).toEqual(Array(4).fill(['ast2', 'answered']));
    await site.kam.waitNode(ast1.ast.sipPort, 'D', 10_000).catch(() => site.kam.waitNode(ast1.ast.sipPort, 'I', 1000));

    // The call that was on ast1: its controller closes it once its PBX has been gone 30 s.
    const lost = await waitFor(() => site.logged(ast1).find((c) => c.from && long.includes(c.from) && c.outcome), 45_000, 'the call on ast1 closed');
    expect(lost.outcome).toBe('failed');
    expect(Date.now() - haltedAt).toBeGreaterThanOrEqual(29_000);
    // The call on ast2 talks to its end.
    const other = await waitFor(() => site.logged(ast2).find((c) => c.from && long.includes(c.from) && c.outcome), 20_000, 'the call on ast2 over');
    expect(other.outcome).toBe('answered');
    talking.kill();
  });

  it('given that Asterisk started again, then its controller reconnects and calls reach it again', once(90_000), async () => {
    const ast1 = site.nodes[0]!;
    await ast1.ast.resume();
    await site.register(ast1);
    await site.kam.waitNode(ast1.ast.sipPort, 'A', 30_000);
    const { callers, code } = await place(4);
    expect(code).toBe(0);
    const calls = await ended(callers);
    expect(calls.every((c) => c.outcome === 'answered')).toBe(true);
    expect(byNode(calls)).toEqual({ ast1: 2, ast2: 2 });
  });

  it('given a controller stopped while its Asterisk runs, then its node is taken out and no call lands in the fail-safe route', once(90_000), async () => {
    const [ast1, ast2] = site.nodes as [typeof site.nodes[0], typeof site.nodes[0]];
    const stopping = site.stopController(ast2);
    // Calls while it drains and after it is gone: ast2 hands them back to Kamailio (503), which
    // sends them to ast1, until the watcher has disabled ast2.
    const { callers, code } = await place(6);
    expect(await stopping).toBe(0);
    expect(code).toBe(0);
    const calls = await ended(callers);
    expect(calls.map((c) => [c.node, c.outcome])).toEqual(Array(6).fill(['ast1', 'answered']));
    await site.kam.waitNode(ast2.ast.sipPort, 'D', 10_000);
    expect([...observer2.failsafe]).toEqual([]);
    const after = await place(2);
    expect(after.code).toBe(0);
    expect((await ended(after.callers)).map((c) => c.node)).toEqual(['ast1', 'ast1']);
    void ast1;
  });

  it('given every call placed, then the shared call log holds exactly one row for each, naming its node', once(), async () => {
    for (const n of site.nodes) await site.stopController(n);
    const rows = await site.callLog(site.nodes[0]!);
    const nodeOf = new Map(site.nodes.flatMap((n) => site.logged(n)).map((c) => [c.from, c.node]));
    for (const r of rows) expect(r.node, `row ${r.id} from ${r.from}`).toBe(nodeOf.get(r.from ?? ''));
    const count = new Map<string, number>();
    for (const r of rows) count.set(r.from ?? '', (count.get(r.from ?? '') ?? 0) + 1);
    expect(placed.filter((c) => count.get(c) !== 1)).toEqual([]);
    expect(rows.length).toBe(placed.length);
    expect(rows.filter((r) => r.outcome === 'failed')).toHaveLength(1);
  });
});
