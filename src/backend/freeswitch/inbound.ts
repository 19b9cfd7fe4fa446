/**
 * The inbound ESL connection (`freeswitch.esl`): api commands, and the leg events that `myevents`
 * never shows (surprise 4): CHANNEL_CREATE / ANSWER / HANGUP_COMPLETE of the legs we originate,
 * matched by the origination_uuid we chose. Reconnects with capped exponential backoff.
 */
import net from 'node:net';
import { EventEmitter } from 'node:events';
import type { Logger } from '../../log.js';
import { SwitchboardError } from '../../errors.js';
import { ESL_REPLY_TIMEOUT_MS, EslConnection } from './connection.js';
import type { EslEvent } from '../../esl/protocol.js';
import { DEVICE_EVENTS } from './devices.js';

/** What the inbound connection saw of one leg. */
export interface LegSeen {
  created: boolean;
  answered: boolean;
  /** Hangup-Cause name and hangup_cause_q850, once CHANNEL_HANGUP_COMPLETE arrived. */
  cause: string | null;
  q850: number | null;
  /** When CHANNEL_HANGUP_COMPLETE arrived (a leg that ended while others rang on). */
  endedAt?: string;
}

const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 10_000;

/**
 * Inbound ESL client with leg tracking. Emits `leg` (uuid) whenever a watched leg changes, `dtmf`
 * (uuid, digit) for a key on one, `event` for every event.
 */
export class InboundEsl extends EventEmitter {
  private conn: EslConnection | null = null;
  private ready = false;
  private stopped = false;
  private backoff = BACKOFF_MIN_MS;
  private timer: NodeJS.Timeout | null = null;
  private readonly legs = new Map<string, LegSeen>();

  constructor(
    private readonly opts: { host: string; port: number; password: string },
    private readonly log: Logger,
    private readonly timeoutMs = ESL_REPLY_TIMEOUT_MS,
  ) {
    super();
    this.setMaxListeners(0);
  }

  get connected(): boolean {
    return this.ready;
  }

  /** Connect (and keep reconnecting). Resolves after the first attempt, successful or not. */
  async start(): Promise<void> {
    await this.attempt();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.conn?.close();
    this.conn?.socket.destroy();
  }

  /** Start collecting the events of a leg we are about to originate. */
  watch(uuid: string): void {
    this.legs.set(uuid, { created: false, answered: false, cause: null, q850: null });
  }

  /** What was seen of a leg so far. */
  seen(uuid: string): LegSeen | undefined {
    return this.legs.get(uuid);
  }

  forget(uuid: string): void {
    this.legs.delete(uuid);
  }

  /** Run an api command on the inbound connection. */
  async api(cmd: string): Promise<string> {
    if (!this.conn || !this.ready) throw new SwitchboardError('ESL_DISCONNECTED', 'inbound ESL not connected');
    return this.conn.api(cmd);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.connectOnce();
      this.backoff = BACKOFF_MIN_MS;
      this.log.info({ host: this.opts.host, port: this.opts.port }, 'inbound ESL connected');
    } catch (err) {
      this.log.warn({ err: (err as Error).message, retryMs: this.backoff }, 'inbound ESL connect failed');
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.stopped || this.timer) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt();
    }, delay);
    this.timer.unref();
  }

  private async connectOnce(): Promise<void> {
    const socket = net.connect({ host: this.opts.host, port: this.opts.port });
    const conn = new EslConnection(socket, this.timeoutMs);
    // A port that accepts TCP and never sends auth/request (not FreeSWITCH, or a hung one) must not
    // hang start-up: give it the reply timeout, then close it and retry as for a refused connect.
    let authTimer: NodeJS.Timeout | undefined;
    const authRequested = new Promise<void>((resolve, reject) => {
      conn.once('auth-request', resolve);
      conn.once('close', () => reject(new SwitchboardError('ESL_DISCONNECTED', 'closed before auth')));
      socket.once('error', (e) => reject(e));
      authTimer = setTimeout(() => reject(new SwitchboardError('ESL_TIMEOUT', `no auth request in ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await authRequested;
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      clearTimeout(authTimer);
    }
    const auth = await conn.send(`auth ${this.opts.password}`);
    if (!auth.headers['Reply-Text']?.startsWith('+OK')) {
      conn.close();
      throw new SwitchboardError('ESL_COMMAND_FAILED', 'inbound ESL auth refused');
    }
    // DTMF: the keys pressed on a confirming leg (section 8, confirm.ts). The registration events
    // for device state (devices.ts); CUSTOM must be last (its subclasses follow it).
    await conn.send(`event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE DTMF ${DEVICE_EVENTS.join(' ')}`);
    conn.on('event', (ev: EslEvent) => this.onEvent(ev));
    conn.once('close', () => {
      this.ready = false;
      this.conn = null;
      if (!this.stopped) {
        this.log.warn('inbound ESL connection lost; reconnecting');
        this.scheduleRetry();
      }
    });
    this.conn = conn;
    this.ready = true;
    this.emit('connected');
  }

  private onEvent(ev: EslEvent): void {
    // Every event, for device state (devices.ts); the legs we placed are followed below.
    this.emit('event', ev);
    const uuid = ev.headers['Unique-ID'];
    const leg = uuid ? this.legs.get(uuid) : undefined;
    if (!leg || !uuid) return;
    if (ev.name === 'DTMF') {
      const digit = ev.headers['DTMF-Digit'] ?? '';
      if (/^[0-9A-D*#]$/.test(digit)) this.emit('dtmf', uuid, digit);
      return;
    }
    if (ev.name === 'CHANNEL_CREATE') leg.created = true;
    else if (ev.name === 'CHANNEL_ANSWER') leg.answered = true;
    else if (ev.name === 'CHANNEL_HANGUP_COMPLETE') {
      leg.created = true;
      leg.endedAt = new Date().toISOString();
      leg.cause = ev.headers['Hangup-Cause'] ?? ev.headers.variable_hangup_cause ?? null;
      const q = Number(ev.headers.variable_hangup_cause_q850);
      leg.q850 = Number.isInteger(q) ? q : null;
    }
    this.emit('leg', uuid);
  }
}
