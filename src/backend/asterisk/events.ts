/**
 * The ARI event connection: ari-client's WebSocket, supervised.
 *
 * ari-client quirks fixed here:
 * - Its reconnect gives up after 10 tries (backoff-func's default) and emits WebSocketMaxRetries;
 *   an Asterisk restart that takes longer would leave the controller deaf forever. We restart
 *   `client.start(app)` ourselves with capped exponential backoff and jitter, forever.
 * - It parses each frame inside the ws 'message' listener; a frame it cannot parse, or an event
 *   type its Swagger models lack, throws there: an uncaught exception. We wrap that listener.
 * - It never notices a half-open TCP connection. We ping and terminate the socket when no pong
 *   comes back, which makes ari-client reconnect.
 * The initial API load (`connect`, which fetches resources.json) is retried the same way.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../../log.js';
import { backoffDelay } from './backoff.js';

export interface AriEvent {
  type: string;
  application?: string;
  timestamp?: string;
  [key: string]: unknown;
}

export interface AriClientLike extends EventEmitter {
  start(app: string): Promise<void>;
  stop(): void;
  ping(): void;
  _ws?: { terminate(): void; on(ev: string, fn: (...a: unknown[]) => void): unknown };
}

export interface AriEventsOptions {
  url: string;
  username: string;
  password: string;
  app: string;
  log: Logger;
  pingIntervalMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** How to load the API and get a client; default: ari-client's `connect` (tests pass a fake). */
  connect?: (url: string, user: string, pass: string) => Promise<AriClientLike>;
}

/**
 * Emits 'event' (AriEvent), 'connected' (after every (re)connect: time to reconcile) and
 * 'disconnected'.
 */
export class AriEvents extends EventEmitter {
  private client: AriClientLike | null = null;
  private stopped = false;
  private connected = false;
  private attempt = 0;
  private pingTimer: NodeJS.Timeout | null = null;
  private awaitingPong = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: AriEventsOptions) {
    super();
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** Resolve once the first WebSocket is up (keeps retrying until then, or until stop()). */
  async start(): Promise<void> {
    const first = new Promise<void>((resolve) => this.once('connected', () => resolve()));
    void this.loadApi();
    await first;
  }

  /** Stop for good: no reconnects. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    try {
      this.client?.stop();
    } catch {
      // ari-client throws when no socket was ever opened; nothing to close then.
    }
    this.connected = false;
  }

  /** Drop the current socket abruptly (tests, and the half-open detector). */
  terminateSocket(): void {
    this.client?._ws?.terminate();
  }

  private schedule(fn: () => void): void {
    const delay = backoffDelay(this.attempt++, this.opts.backoff);
    this.retryTimer = setTimeout(fn, delay);
    this.retryTimer.unref?.();
  }

  private async loadApi(): Promise<void> {
    if (this.stopped) return;
    try {
      const connect = this.opts.connect ?? (await loadAriClient(this.opts.log));
      const client = await connect(this.opts.url, this.opts.username, this.opts.password);
      if (this.stopped) return;
      this.client = client;
      this.guardSocket(client);
      client.on('*', (event: AriEvent) => this.emit('event', event));
      client.on('WebSocketConnected', () => this.onOpen());
      client.on('WebSocketReconnecting', (err?: Error) => this.onDown(`reconnecting: ${err?.message ?? 'socket closed'}`));
      client.on('WebSocketMaxRetries', () => {
        this.onDown('ari-client gave up reconnecting; restarting it');
        this.schedule(() => void this.startSocket());
      });
      client.on('pong', () => (this.awaitingPong = false));
      await this.startSocket();
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message, attempt: this.attempt }, 'ARI not reachable; retrying');
      this.schedule(() => void this.loadApi());
    }
  }

  private async startSocket(): Promise<void> {
    if (this.stopped || !this.client) return;
    try {
      await this.client.start(this.opts.app);
    } catch (err) {
      this.onDown(`start failed: ${(err as Error).message}`);
      this.schedule(() => void this.startSocket());
    }
  }

  private onOpen(): void {
    this.attempt = 0;
    this.connected = true;
    this.awaitingPong = false;
    this.opts.log.info({ app: this.opts.app }, 'ARI WebSocket connected');
    if (!this.pingTimer) {
      this.pingTimer = setInterval(() => this.checkAlive(), this.opts.pingIntervalMs ?? 10_000);
      this.pingTimer.unref?.();
    }
    this.emit('connected');
  }

  private onDown(why: string): void {
    if (this.connected) this.opts.log.warn({ why }, 'ARI WebSocket down');
    this.connected = false;
    this.emit('disconnected');
  }

  private checkAlive(): void {
    if (!this.connected || !this.client) return;
    if (this.awaitingPong) {
      this.opts.log.warn('ARI WebSocket sent no pong: terminating it so that it reconnects');
      this.terminateSocket();
      return;
    }
    this.awaitingPong = true;
    this.client.ping();
  }

  /** Wrap the 'message' listener of every socket ari-client opens, so a bad frame cannot throw out. */
  private guardSocket(client: AriClientLike): void {
    let current: AriClientLike['_ws'];
    const log = this.opts.log;
    Object.defineProperty(client, '_ws', {
      configurable: true,
      get: () => current,
      set: (ws: NonNullable<AriClientLike['_ws']>) => {
        const on = ws.on.bind(ws);
        ws.on = (ev: string, fn: (...a: unknown[]) => void) =>
          on(ev, ev !== 'message' ? fn : (...args: unknown[]) => {
            try {
              fn(...args);
            } catch (err) {
              log.warn({ err: (err as Error).message, frame: String(args[0]).slice(0, 200) }, 'ARI event dropped: unparseable or unknown');
            }
          });
        current = ws;
      },
    });
  }
}

/** ari-client's `connect`, with swagger-client's console noise routed to our logger. */
async function loadAriClient(log: Logger): Promise<(url: string, u: string, p: string) => Promise<AriClientLike>> {
  const ari = (await import('ari-client')).default as { connect(url: string, u: string, p: string): Promise<AriClientLike> };
  quietSwaggerClient(log);
  return (url, u, p) => ari.connect(url, u, p);
}

/**
 * swagger-client 2.0.26 (inside ari-client) defines an implicit global `log` that console.logs a
 * "deprecated version of Swagger" notice on every API load (Asterisk serves Swagger 1.1) and keeps
 * every message in `log.history` forever. Route it to our logger at debug level instead: stdout
 * belongs to the CLI, and the history is a slow leak across reconnects.
 */
function quietSwaggerClient(log: Logger): void {
  const g = globalThis as { log?: unknown };
  if (typeof g.log === 'function') g.log = (...args: unknown[]) => log.debug({ swagger: args.map(String).join(' ') }, 'swagger-client');
}
