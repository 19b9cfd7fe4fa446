/**
 * The ARI event connection: ari-client's WebSocket, supervised.
 *
 * ari-client quirks fixed here:
 * - Its own reconnect runs on timers we cannot cancel: a `stop()` while it waits to retry is
 *   undone when the timer fires (a stopped controller came back to life, issue 11 item 4), it
 *   gives up after 10 tries (WebSocketMaxRetries), and it retries a refused password silently. So
 *   we take every socket's 'error' and 'close' away from it and run the reconnects ourselves:
 *   capped exponential backoff with jitter, forever, one log line per try with the reason, and
 *   every timer cancelled by `stop()` for good.
 * - Its API load (`connect`: resources.json through `request` and swagger-client) has no timeout
 *   (a port that accepts TCP and never answers hangs it forever) and turns a 401 into an uncaught
 *   throw. So we ask resources.json ourselves first (`probe`, with a timeout and the HTTP status),
 *   bound the load with a timeout too, and bound every WebSocket handshake.
 * - It parses each frame inside the ws 'message' listener; a frame it cannot parse, or an event
 *   type its Swagger models lack, throws there: an uncaught exception. We wrap that listener.
 * - It never notices a half-open TCP connection. We ping and terminate the socket when no pong
 *   comes back, which makes us reconnect.
 * The retry timer is deliberately not unref()'d: a controller started before its PBX must stay up
 * and wait for it.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../../log.js';
import { AriHttpError, SwitchboardError } from '../../errors.js';
import { backoffDelay } from './backoff.js';

export interface AriEvent {
  type: string;
  application?: string;
  timestamp?: string;
  [key: string]: unknown;
}

export interface AriSocketLike {
  terminate(): void;
  on(ev: string, fn: (...a: unknown[]) => void): unknown;
  readyState?: number;
}

export interface AriClientLike extends EventEmitter {
  start(app: string): Promise<void>;
  stop(): void;
  ping(): void;
  _ws?: AriSocketLike;
  _wsClosed?: boolean;
}

export interface AriEventsOptions {
  url: string;
  username: string;
  password: string;
  app: string;
  log: Logger;
  pingIntervalMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Bound on the API load and on each WebSocket handshake (default 5000 ms). */
  timeoutMs?: number;
  /** Ask Asterisk for resources.json before the API load (status kept); default: none. */
  probe?: () => Promise<unknown>;
  /** How to load the API and get a client; default: ari-client's `connect` (tests pass a fake). */
  connect?: (url: string, user: string, pass: string) => Promise<AriClientLike>;
}

const WS_OPEN = 1;

/**
 * Emits 'event' (AriEvent), 'connected' (after every (re)connect: time to reconcile),
 * 'disconnected' and 'retry' ({ attempt, delayMs, reason }).
 */
export class AriEvents extends EventEmitter {
  private client: AriClientLike | null = null;
  private stopped = false;
  private connected = false;
  private attempt = 0;
  private pingTimer: NodeJS.Timeout | null = null;
  private awaitingPong = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private reason: string | null = 'not connected yet';
  private replacedReason: string | null = null;

  constructor(private readonly opts: AriEventsOptions) {
    super();
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** Why we are not connected (null while connected): for /healthz. */
  disconnectedReason(): string | null {
    return this.connected ? null : this.reason;
  }

  /** Resolve once the first WebSocket is up (keeps retrying until then), or once stop() is called. */
  async start(): Promise<void> {
    const first = new Promise<void>((resolve) => {
      this.once('connected', () => resolve());
      this.once('stopped', () => resolve());
    });
    void this.loadApi();
    await first;
  }

  /** Stop for good: no reconnect, no timer, and a socket that opens after this is closed at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    const client = this.client;
    if (client) {
      client._wsClosed = true;
      try {
        client._ws?.terminate();
      } catch {
        // Nothing was ever opened; nothing to close.
      }
    }
    this.connected = false;
    this.reason = 'stopped';
    this.emit('stopped');
  }

  /** Why we gave the app up (another connection took it: `ApplicationReplaced`), or null. */
  replaced(): string | null {
    return this.replacedReason;
  }

  /**
   * Another WebSocket subscribed to our app (a second controller, or an operator's test): Asterisk
   * now sends the calls there. Reconnecting would take the app back, and the two would take it
   * from each other for ever (section 10): stop for good and say why.
   */
  private onReplaced(): void {
    const reason = `ARI application ${this.opts.app} was taken over by another connection (ApplicationReplaced): this controller takes no calls and does not reconnect`;
    this.replacedReason = reason;
    this.opts.log.error({ app: this.opts.app }, reason);
    void this.stop().then(() => {
      this.reason = reason;
      this.emit('replaced', reason);
    });
  }

  /** Drop the current socket abruptly (tests, and the half-open detector). */
  terminateSocket(): void {
    this.client?._ws?.terminate();
  }

  private clearTimers(): void {
    for (const t of [this.retryTimer, this.handshakeTimer]) if (t) clearTimeout(t);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = this.handshakeTimer = this.pingTimer = null;
  }

  /** One retry after a backoff, with one log line that says why. */
  private retry(what: string, err: unknown, fn: () => void): void {
    if (this.stopped || this.retryTimer) return;
    const reason = this.describe(err);
    this.reason = reason;
    const delayMs = backoffDelay(this.attempt++, this.opts.backoff);
    this.opts.log.warn({ reason, attempt: this.attempt, retryMs: delayMs }, `${what}; retrying`);
    this.emit('retry', { attempt: this.attempt, delayMs, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      fn();
    }, delayMs);
  }

  /** The reason an admin can act on: a refused password says so, with the user it was for. */
  private describe(err: unknown): string {
    const message = (err as Error)?.message ?? String(err);
    const status = err instanceof AriHttpError ? err.status : Number(/Unexpected server response: (\d{3})/.exec(message)?.[1] ?? NaN);
    if (status === 401 || status === 403) return `ARI refused the credentials for user ${this.opts.username} (HTTP ${status})`;
    return message;
  }

  private async loadApi(): Promise<void> {
    if (this.stopped) return;
    const timeoutMs = this.opts.timeoutMs ?? 5000;
    try {
      await this.opts.probe?.();
      const connect = this.opts.connect ?? (await loadAriClient(this.opts.log));
      const client = await withTimeout(connect(this.opts.url, this.opts.username, this.opts.password), timeoutMs, 'loading the ARI API (resources.json)');
      if (this.stopped) return;
      this.client = client;
      this.guardSocket(client);
      client.on('*', (event: AriEvent) => {
        if (this.stopped) return;
        if (event.type === 'ApplicationReplaced') return this.onReplaced();
        this.emit('event', event);
      });
      client.on('WebSocketConnected', () => this.onOpen());
      client.on('pong', () => (this.awaitingPong = false));
      this.startSocket();
    } catch (err) {
      this.retry('ARI not reachable', err, () => void this.loadApi());
    }
  }

  private startSocket(): void {
    const client = this.client;
    if (this.stopped || !client) return;
    // With real ari-client this settles only on open; failures come as the socket's error/close.
    client.start(this.opts.app).catch((err: unknown) => this.onSocketGone(err));
  }

  private onOpen(): void {
    if (this.stopped) return;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.attempt = 0;
    this.connected = true;
    this.reason = null;
    this.awaitingPong = false;
    this.opts.log.info({ app: this.opts.app }, 'ARI WebSocket connected');
    if (!this.pingTimer) {
      this.pingTimer = setInterval(() => this.checkAlive(), this.opts.pingIntervalMs ?? 10_000);
      this.pingTimer.unref?.();
    }
    this.emit('connected');
  }

  /** A socket failed to open or closed: mark down and reconnect after a backoff. */
  private onSocketGone(err: unknown): void {
    if (this.stopped) return;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    if (this.connected) this.opts.log.warn({ why: this.describe(err) }, 'ARI WebSocket down');
    this.connected = false;
    this.emit('disconnected');
    this.retry('ARI WebSocket not connected', err, () => this.startSocket());
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

  /**
   * Every socket ari-client opens passes here: a socket opened after stop() is closed at once; its
   * 'message' listener is wrapped so a bad frame cannot throw out; its 'error' and 'close' come to
   * us instead of ari-client's reconnect; its handshake gets a deadline.
   */
  private guardSocket(client: AriClientLike): void {
    let current: AriClientLike['_ws'];
    const log = this.opts.log;
    Object.defineProperty(client, '_ws', {
      configurable: true,
      get: () => current,
      set: (ws: AriSocketLike) => {
        current = ws;
        const on = ws.on.bind(ws);
        let gone = false;
        const lost = (err: unknown) => {
          if (gone) return;
          gone = true;
          if (current === ws) this.onSocketGone(err);
        };
        ws.on = (ev: string, fn: (...a: unknown[]) => void) => {
          if (ev === 'error') return on(ev, (err: unknown) => lost(err));
          if (ev === 'close') return on(ev, (code: unknown) => lost(new SwitchboardError('ARI_DISCONNECTED', `WebSocket closed (${String(code)})`)));
          if (ev !== 'message') return on(ev, fn);
          return on(ev, (...args: unknown[]) => {
            if (this.stopped) return;
            try {
              fn(...args);
            } catch (err) {
              log.warn({ err: (err as Error).message, frame: String(args[0]).slice(0, 200) }, 'ARI event dropped: unparseable or unknown');
            }
          });
        };
        if (this.stopped) {
          // ari-client opened it anyway (a timer of its own): close it before it says hello.
          queueMicrotask(() => ws.terminate());
          return;
        }
        const timeoutMs = this.opts.timeoutMs ?? 5000;
        if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
        this.handshakeTimer = setTimeout(() => {
          this.handshakeTimer = null;
          if (current === ws && ws.readyState !== WS_OPEN) {
            lost(new SwitchboardError('ARI_TIMEOUT', `no WebSocket handshake in ${timeoutMs} ms`));
            ws.terminate();
          }
        }, timeoutMs);
      },
    });
  }
}

/** `p`, or an ARI_TIMEOUT rejection after `ms`. */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SwitchboardError('ARI_TIMEOUT', `${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
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
