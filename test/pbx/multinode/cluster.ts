/**
 * A scale-out site on loopback (spec section 10): Kamailio running the shipped config with the
 * health watcher, two real Asterisks (the carrier trunk identified by Kamailio's address), one
 * `switchboard run` process beside each, SIPp desk phones registered on both Asterisks, and a
 * SIPp carrier that sends its calls to Kamailio. Each controller logs JSON lines; the call log
 * is read from them while the site runs (`inbound call` and `call ended` carry the channel), and
 * from the stores at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startCli, type Child } from '../../support/child.js';
import { REPO_ROOT } from '../../support/shared.js';
import { waitFor } from '../../support/wait.js';
import { AsteriskInstance, freeTcpPort, freeUdpPort } from '../asterisk/instance.js';
import { Sipp } from '../asterisk/sipp.js';
import type { AsteriskInstall } from '../support/locate.js';
import { KamailioInstance } from '../kamailio/instance.js';
import type { KamailioInstall } from '../kamailio/locate.js';

export const SITE_NUMBER = '+12025550200';
const SCENARIO = join(REPO_ROOT, 'test/pbx/multinode/sipp/carrier-via-proxy.xml');

export interface Node {
  name: string;
  ast: AsteriskInstance;
  healthPort: number;
  configFile: string;
  dbFile: string;
  controller: Child | null;
}

/** What a controller logged about one call. */
export interface LoggedCall {
  channel: string;
  node: string;
  from?: string;
  outcome?: string;
}

export class Cluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'sb-multinode-'));
  nodes: Node[] = [];
  kam!: KamailioInstance;
  private readonly phones: Sipp[] = [];
  /** Allowed carrier source ports (one SIPp process at a time per port). */
  carrierPorts: number[] = [];
  private readonly batches = new Set<{ kill: () => void; done: Promise<number | null> }>();
  private nextCaller = 0;

  constructor(
    private readonly asterisk: AsteriskInstall,
    private readonly kamailio: KamailioInstall,
    private readonly config: (node: string) => object,
    /**
     * How many nodes (default 2); the desk phones (extensions, default 1001) and when they answer
     * (ms); the controllers' LOG_LEVEL; a PostgreSQL URL shared by every controller (each then
     * named by `node:`), else a SQLite file per controller.
     */
    private readonly opts: { nodes?: number; phones?: string[]; answerMs?: number; logLevel?: string; postgres?: string } = {},
  ) {}

  async start(): Promise<void> {
    const kamPort = await freeUdpPort();
    for (let i = 0; i < 3; i++) this.carrierPorts.push(await freeUdpPort());
    const passwords = Object.fromEntries((this.opts.phones ?? ['1001']).map((ext) => [ext, `pw-${ext}-${Math.random().toString(36).slice(2)}`]));
    for (let i = 1; i <= (this.opts.nodes ?? 2); i++) {
      const name = `ast${i}`;
      // The trunk is identified by Kamailio's address: the carriers reach Asterisk only through it.
      const ast = await AsteriskInstance.start(this.asterisk, { sipPhones: passwords, carrierSourcePort: kamPort });
      const node: Node = { name, ast, healthPort: await freeTcpPort(), configFile: join(this.dir, `${name}.yaml`), dbFile: join(this.dir, `${name}.db`), controller: null };
      this.nodes.push(node);
    }
    this.kam = await KamailioInstance.start(this.kamailio, {
      port: kamPort,
      nodes: this.nodes.map((n) => ({ sipPort: n.ast.sipPort, duid: n.name, health: `http://127.0.0.1:${n.healthPort}/healthz` })),
      carrierPorts: this.carrierPorts,
    });
    // The desk phones (answering after 200 ms by default), each registered on every Asterisk: one
    // SIPp UAS per extension takes the calls of every node.
    const sipp = new Sipp(this.dir, this.nodes[0]!.ast);
    this.phones.push(sipp);
    for (const [ext, password] of Object.entries(passwords)) {
      const phone = await sipp.phone('answer', this.opts.answerMs ?? 200);
      this.deskPhones.push({ ext, port: phone.port, password });
    }
    for (const n of this.nodes) await this.register(n);
    for (const n of this.nodes) await this.startController(n);
    this.kam.watchHealth();
    for (const n of this.nodes) await this.kam.waitNode(n.ast.sipPort, 'A');
  }

  private readonly deskPhones: { ext: string; port: number; password: string }[] = [];

  /** REGISTER every desk phone on a node's Asterisk (again after a restart). */
  async register(n: Node): Promise<void> {
    const s = new Sipp(this.dir, n.ast);
    this.phones.push(s);
    for (const p of this.deskPhones) await s.register(p.ext, p.password, p.port);
    await waitFor(async () => (await n.ast.cli('pjsip show contacts')).match(/Contact:\s+10\d\d\//g)?.length === this.deskPhones.length, 10_000, `the desk phones registered on ${n.name}`);
  }

  async startController(n: Node): Promise<void> {
    writeFileSync(n.configFile, stringify({
      ...this.config(n.name),
      ...(this.opts.postgres ? { storage: { postgres: this.opts.postgres }, node: n.name } : { storage: { sqlite: n.dbFile } }),
      asterisk: { url: n.ast.ariUrl, username: n.ast.ariUser, password: n.ast.ariPassword, app: 'switchboard', requestTimeoutMs: 3000 },
      http: { listen: `127.0.0.1:${n.healthPort}` },
    }));
    n.controller = startCli(['run', '--config', n.configFile], { SWITCHBOARD_DRAIN_MS: '5000', ...(this.opts.logLevel ? { LOG_LEVEL: this.opts.logLevel } : {}) });
    const c = n.controller;
    await waitFor(() => c.output().includes('controller started'), 30_000, `controller ${n.name} started; output:\n${c.output()}`);
  }

  /** SIGTERM a node's controller and wait for it to exit. */
  async stopController(n: Node): Promise<number | null> {
    const c = n.controller;
    if (!c) return null;
    c.proc.kill('SIGTERM');
    const code = await Promise.race([c.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
    if (code === 'hung') c.proc.kill('SIGKILL');
    return code === 'hung' ? null : code;
  }

  /** Fresh caller numbers, one per call placed: the call log's `from` tells the calls apart. */
  callers(n: number): string[] {
    return Array.from({ length: n }, () => `+1202555${String(1000 + this.nextCaller++).padStart(4, '0')}`);
  }

  /**
   * The carrier places one call per caller through Kamailio (rate per second), each talking
   * `talkMs` once answered. Resolves with SIPp's exit code once every call is over (0: all
   * answered and ended with a 200 to the BYE).
   */
  carrier(callers: string[], opts: { talkMs: number; rate?: number; port: number; to?: string; extra?: string[] }): { done: Promise<number | null>; kill: () => void; pid?: number } {
    const inf = join(this.dir, `callers-${callers[0]}.csv`);
    writeFileSync(inf, ['SEQUENTIAL', ...callers].join('\n') + '\n');
    const log = join(this.dir, `carrier-${callers[0]}.log`);
    const proc = spawn(process.env.SWITCHBOARD_SIPP ?? 'sipp', [
      `127.0.0.1:${this.kam.sipPort}`, '-sf', SCENARIO, '-inf', inf, '-s', opts.to ?? SITE_NUMBER,
      '-i', '127.0.0.1', '-p', String(opts.port), '-m', String(callers.length), '-r', String(opts.rate ?? 2), '-d', String(opts.talkMs),
      '-mi', '127.0.0.1', '-timeout', '120s', '-nostdin', ...(opts.extra ?? ['-trace_msg', '-message_file', log]), '-trace_err', '-error_file', `${log}.err`,
    ], { detached: true, stdio: 'ignore', cwd: this.dir });
    const done = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const kill = () => {
      if (proc.pid) try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
    };
    const b = { kill, done, pid: proc.pid };
    this.batches.add(b);
    void done.then(() => this.batches.delete(b));
    return b;
  }

  /** The call log as `switchboard calls --json` prints it with a node's config (every node's rows on PostgreSQL). */
  async callLog(n: Node): Promise<{ id: string; node?: string; from: string | null; to: string; outcome: string | null; startedAt: string; answeredBy: { user: string | null } | null }[]> {
    const c = startCli(['calls', '--json', '--config', n.configFile]);
    const code = await c.exited;
    if (code !== 0) throw new Error(`switchboard calls exited ${code}:\n${c.output()}`);
    // stdout is the JSON array; log lines (stderr, JSON objects) may come around it.
    const lines = c.output().split('\n');
    const from = lines.findIndex((l) => l.startsWith('['));
    const to = lines.findIndex((l, i) => i >= from && l.endsWith(']'));
    return JSON.parse(lines.slice(from, to + 1).join('\n'));
  }

  /** Every call a node's controller logged so far (its own process's lines only). */
  logged(n: Node): LoggedCall[] {
    const byChannel = new Map<string, LoggedCall>();
    for (const line of (n.controller?.output() ?? '').split('\n')) {
      if (!line.startsWith('{')) continue;
      let j: { msg?: string; channel?: string; from?: string; outcome?: string };
      try { j = JSON.parse(line); } catch { continue; }
      if (!j.channel || (j.msg !== 'inbound call' && j.msg !== 'call ended')) continue;
      const c = byChannel.get(j.channel) ?? { channel: j.channel, node: n.name };
      if (j.msg === 'inbound call') c.from = j.from;
      else c.outcome = j.outcome;
      byChannel.set(j.channel, c);
    }
    return [...byChannel.values()];
  }

  /** The logged calls of these callers, across every node. */
  callsOf(callers: string[]): LoggedCall[] {
    const set = new Set(callers);
    return this.nodes.flatMap((n) => this.logged(n).filter((c) => c.from && set.has(c.from)));
  }

  async stop(): Promise<void> {
    for (const b of this.batches) b.kill();
    for (const n of this.nodes) if (n.controller && n.controller.proc.exitCode === null) n.controller.proc.kill('SIGKILL');
    await Promise.all([...this.batches].map((b) => b.done));
    for (const s of this.phones) await s.stop();
    await this.kam?.stop();
    for (const n of this.nodes) await n.ast.stop();
    if (process.env.SWITCHBOARD_KEEP_PBX === '1') {
      for (const n of this.nodes) writeFileSync(join(this.dir, `${n.name}-controller.log`), n.controller?.output() ?? '');
    } else rmSync(this.dir, { recursive: true, force: true });
  }
}
