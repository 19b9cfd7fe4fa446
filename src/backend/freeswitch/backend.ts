/**
 * The FreeSWITCH backend: a TCP listener for the dialplan's `socket <listen> async full` (one
 * connection per call) plus one inbound ESL connection for leg events and api commands.
 *
 * Own codec instead of drachtio-modesl's Server: modesl's parser calls decodeURIComponent on every
 * header (a malformed escape throws inside its data handler), its API is callback-based, and we
 * need the same tested codec for the simulator anyway. modesl remains the reference client in tests.
 */
import net from 'node:net';
import { freeswitchDefaults, type Config } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import { SwitchboardError } from '../../errors.js';
import type { CallControl, DeviceSink, PbxBackend } from '../../call/contract.js';
import { EslConnection } from './connection.js';
import { InboundEsl } from './inbound.js';
import { FreeswitchCall } from './call.js';
import { FsDeviceWatcher } from './devices.js';
import { frameToEvent } from '../../esl/protocol.js';

/** PbxBackend over FreeSWITCH's event socket. */
export class FreeswitchBackend implements PbxBackend {
  readonly kind = 'freeswitch' as const;
  private readonly server: net.Server;
  private readonly inbound: InboundEsl;
  private readonly conns = new Set<EslConnection>();
  private onCall: ((call: CallControl) => Promise<void>) | null = null;
  private listening = false;
  private accepting = true;
  private closed: Promise<void> = Promise.resolve();
  private readonly listenHost: string;
  private readonly listenPortWanted: number;
  private templates: { endpoint: string; trunk: string };
  private readonly log: Logger;
  private readonly devices: FsDeviceWatcher;

  private readonly timeoutMs: number | undefined;

  /** `replyTimeoutMs`: how long an ESL peer may stay silent before we close it (tests shorten it). */
  constructor(deps: { config: Config; log: Logger; replyTimeoutMs?: number }) {
    this.timeoutMs = deps.replyTimeoutMs;
    const fs = deps.config.freeswitch ?? freeswitchDefaults();
    const at = fs.listen.lastIndexOf(':');
    this.listenHost = fs.listen.slice(0, at);
    this.listenPortWanted = Number(fs.listen.slice(at + 1));
    this.log = deps.log.child({ backend: 'freeswitch' });
    this.templates = templatesOf(deps.config);
    this.inbound = new InboundEsl(fs.esl, this.log, deps.replyTimeoutMs);
    this.devices = new FsDeviceWatcher(this.inbound, deps.config, this.log.child({ component: 'devices' }));
    this.inbound.on('event', (ev) => this.devices.onEvent(ev));
    this.inbound.on('connected', () => void this.devices.connected());
    this.server = net.createServer((socket) => void this.accept(socket));
  }

  /** The port actually bound (useful with `:0`). */
  get listenPort(): number {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  /** A reloaded config: new calls dial with its templates (calls in progress keep theirs). */
  updateConfig(config: Config): void {
    this.templates = templatesOf(config);
    this.devices.update(config);
  }

  /** Device states (registrations and channels on the inbound connection) go to `sink`. */
  watchDevices(sink: DeviceSink): void {
    this.devices.watch(sink);
    if (this.inbound.connected) void this.devices.connected();
  }

  async start(onCall: (call: CallControl) => Promise<void>): Promise<void> {
    this.onCall = onCall;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (e) => reject(new SwitchboardError('ESL_DISCONNECTED', `cannot listen on ${this.listenHost}:${this.listenPortWanted}: ${e.message}`)));
      this.server.listen(this.listenPortWanted, this.listenHost, () => resolve());
    });
    this.listening = true;
    await this.inbound.start();
    this.log.info({ listen: `${this.listenHost}:${this.listenPort}` }, 'waiting for FreeSWITCH socket connections');
  }

  /**
   * Take no new calls (calls in progress go on): close the listener, so FreeSWITCH's `socket`
   * finds nobody and its dialplan goes on with the fail-safe route after it (trace i). A call
   * whose connection was already queued when we closed is sent there too (socket closed).
   */
  stopAccepting(): void {
    if (!this.accepting) return;
    this.accepting = false;
    this.closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.log.info('not accepting calls: new calls take the dialplan fail-safe route');
  }

  async stop(): Promise<void> {
    this.stopAccepting();
    this.listening = false;
    this.inbound.stop();
    for (const c of this.conns) c.socket.destroy();
    await this.closed;
  }

  isConnected(): boolean {
    return this.listening && this.inbound.connected;
  }

  private async accept(socket: net.Socket): Promise<void> {
    if (!this.accepting) {
      this.log.info('not accepting calls: closing the socket, the dialplan fail-safe takes the call');
      socket.destroy();
      return;
    }
    // A connection that never answers `connect` (not FreeSWITCH's socket app, or a scanner) is
    // closed after the reply timeout instead of holding a file descriptor forever.
    const conn = new EslConnection(socket, this.timeoutMs);
    this.conns.add(conn);
    conn.once('close', () => this.conns.delete(conn));
    let call: FreeswitchCall;
    try {
      const reply = await conn.send('connect');
      const data = frameToEvent(reply);
      if (!data || !data.headers['Unique-ID']) throw new SwitchboardError('ESL_PROTOCOL', 'connect reply without channel data');
      call = new FreeswitchCall(conn, data, { templates: this.templates, inbound: this.inbound, log: this.log });
    } catch (err) {
      if (err instanceof SwitchboardError && err.code === 'ESL_DISCONNECTED') {
        // FreeSWITCH closes the socket unanswered when the channel is down before it has read our
        // `connect` (mod_event_socket.c, read_packet: "Socket Error!"): a caller who hung up at
        // once. The channel data is the only thing that names the call, so there is no row to write.
        this.log.warn('FreeSWITCH closed the socket before answering connect (the caller hung up first): no call to log');
      } else this.log.error({ err: (err as Error).message }, 'outbound ESL connection failed');
      conn.close();
      return;
    }
    // From here the call is known (its uuid and caller): it gets its row whatever happens next. A
    // caller who hangs up before `myevents` is answered closes the socket; the session sees the
    // caller gone and logs the call as abandoned.
    await call.subscribe().catch((err) => this.log.warn({ channel: call.info.channelId, err: (err as Error).message }, 'event subscription failed: the caller is gone'));
    await this.onCall?.(call);
  }
}

/** The FreeSWITCH dial templates of a config (the schema guarantees a `default` trunk). */
function templatesOf(config: Config): { endpoint: string; trunk: string } {
  return { endpoint: config.endpoints.freeswitch, trunk: config.trunks.default!.freeswitch };
}
