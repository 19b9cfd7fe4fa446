/**
 * A recording TCP relay between FreeSWITCH's `socket` application and the controller: every frame
 * in both directions, per connection, as the freeswitch-reference traces record them (`recv` =
 * FreeSWITCH -> controller, `send` = controller -> FreeSWITCH). Used to commit what the real
 * FreeSWITCH sends as fixtures and to compare the simulator with them.
 */
import net from 'node:net';
import { EslParser, frameToEvent, type EslFrame } from '../../../src/esl/protocol.js';

export interface TapRecord {
  t_ms: number;
  conn: number;
  kind: 'recv' | 'send';
  /** recv: Content-Type; send: the command's first word. */
  type: string;
  /** recv: Event-Name (CHANNEL_DATA for the connect reply); send: the app of a sendmsg execute. */
  event?: string;
  /** Application of CHANNEL_EXECUTE[_COMPLETE]. */
  app?: string;
  uuid?: string;
  headers?: Record<string, string>;
}

export class EslTap {
  readonly records: TapRecord[] = [];
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private n = 0;
  private readonly t0 = Date.now();
  port = 0;
  /**
   * While true, new connections hold what the controller sends (its `connect` first) until
   * `release()`: a test can then let the caller go before FreeSWITCH has read the `connect`.
   */
  holdConnect = false;
  private held: Array<() => void> = [];
  /** Per connection: which sides have closed, and how many bytes FreeSWITCH sent. */
  readonly conns = new Map<number, { fsClosed: boolean; bytesFromFs: number; controllerClosed: boolean }>();

  constructor(private target: () => number) {
    this.server = net.createServer((inbound) => this.relay(inbound));
  }

  async start(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Send what the held connections' controllers wrote, and stop holding. */
  release(): void {
    this.holdConnect = false;
    for (const go of this.held.splice(0)) go();
  }

  /** The records of the connection whose channel is `uuid`. */
  forChannel(uuid: string): TapRecord[] {
    const conn = this.records.find((r) => r.event === 'CHANNEL_DATA' && r.uuid === uuid)?.conn;
    return conn === undefined ? [] : this.records.filter((r) => r.conn === conn);
  }

  private relay(fromFs: net.Socket): void {
    const conn = ++this.n;
    const toCtl = net.connect({ host: '127.0.0.1', port: this.target() });
    for (const s of [fromFs, toCtl]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.once('close', () => this.sockets.delete(s));
    }
    const up = new EslParser(true);
    const down = new EslParser(true);
    const state = { fsClosed: false, bytesFromFs: 0, controllerClosed: false };
    this.conns.set(conn, state);
    let pending: Buffer[] | null = this.holdConnect ? [] : null;
    if (pending) {
      this.held.push(() => {
        const out = pending ?? [];
        pending = null;
        if (!fromFs.destroyed) for (const b of out) fromFs.write(b);
      });
    }
    fromFs.on('data', (b: Buffer) => {
      state.bytesFromFs += b.length;
      toCtl.write(b);
      try {
        for (const f of up.push(b)) this.records.push(this.recv(conn, f));
      } catch {
        /* a recording problem must not change the call */
      }
    });
    toCtl.on('data', (b: Buffer) => {
      if (pending) pending.push(b);
      else fromFs.write(b);
      try {
        for (const f of down.push(b)) this.records.push(this.send(conn, f));
      } catch {
        /* as above */
      }
    });
    let connected = false;
    toCtl.once('connect', () => (connected = true));
    fromFs.once('close', () => {
      state.fsClosed = true;
      toCtl.destroy();
    });
    toCtl.once('close', () => (state.controllerClosed = true));
    // The controller refused (it is draining or down): close at once, as a refused `socket` would
    // end at once; after a session, let the last frames drain first.
    toCtl.once('close', () => {
      if (!connected) fromFs.destroy();
      else fromFs.end(() => fromFs.destroy());
    });
  }

  private recv(conn: number, f: EslFrame): TapRecord {
    const type = f.headers['Content-Type'] ?? '';
    const ev = frameToEvent(f);
    const h = ev?.headers ?? f.headers;
    const r: TapRecord = { t_ms: Date.now() - this.t0, conn, kind: 'recv', type };
    if (ev) r.event = ev.name;
    else if (h['Event-Name']) r.event = h['Event-Name'];
    if (h['Unique-ID']) r.uuid = h['Unique-ID'];
    if (h.Application) r.app = h.Application;
    r.headers = pick(h);
    return r;
  }

  private send(conn: number, f: EslFrame): TapRecord {
    const r: TapRecord = { t_ms: Date.now() - this.t0, conn, kind: 'send', type: f.firstLine.split(' ')[0] ?? '' };
    if (f.headers['execute-app-name']) r.app = f.headers['execute-app-name'];
    r.headers = { line: f.firstLine, ...(f.headers['execute-app-arg'] ? { arg: f.headers['execute-app-arg'] } : {}) };
    return r;
  }
}

/** The headers a comparison needs (the rest is host- and time-specific). */
const KEEP = ['Reply-Text', 'Answer-State', 'Channel-State', 'Channel-Call-State', 'Hangup-Cause', 'Application-Data', 'Application-Response',
  'variable_originate_disposition', 'variable_DIALSTATUS', 'variable_hangup_cause', 'variable_hangup_cause_q850', 'variable_originate_causes',
  'variable_last_bridge_hangup_cause', 'variable_bridge_hangup_cause', 'Content-Disposition', 'Linger-Time'];
function pick(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEEP) if (h[k] !== undefined) out[k] = h[k];
  return out;
}
