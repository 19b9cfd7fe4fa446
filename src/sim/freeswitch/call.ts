/**
 * The controlled leg of one inbound call: it runs the `socket` application (connecting out to the
 * controller), executes what the controller sends one application at a time, and when the socket
 * is refused or lost, goes on to the dialplan's fail-safe route (surprise 7).
 */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { AppRunner, Header, SimHost } from './host.js';
import type { SimChannel } from './channel.js';
import { OutboundSession } from './outbound.js';
import { runApp } from './apps.js';

interface QueuedApp {
  app: string;
  arg: string;
  eventUuid: string;
  /** sendmsg `event-lock: true`: nothing queued runs until this application has returned. */
  locked?: boolean;
}

/**
 * Applications that read the channel's queued messages while they run (playing or recording a
 * file parses them between frames). Seen on the real 1.10.12: a `hangup` sent right behind
 * `voicemail` ran INSIDE voicemail (EXECUTE depth=2) and hung the caller up before the message,
 * unless voicemail was sent with `event-lock: true` (CF_EVENT_LOCK stops the nested parse).
 */
const PARSES_QUEUE_WHILE_RUNNING = new Set(['voicemail', 'playback']);

/** Runs the controlled channel's applications and its socket session. */
export class CallRunner implements AppRunner {
  session: OutboundSession | null = null;
  private detached = false;
  private socketDone = false;
  private readonly socketAppUuid = randomUUID();
  private readonly queue: QueuedApp[] = [];
  private wake: (() => void) | null = null;
  private finished = false;
  /** The application executing now (the innermost one when a queued app runs nested). */
  private running: QueuedApp | null = null;
  private markConnected: () => void = () => undefined;
  /** Settles once the controller has sent `connect` (or the socket went away). */
  readonly controllerHasCall = new Promise<void>((resolve) => (this.markConnected = resolve));

  constructor(
    readonly sim: SimHost,
    readonly ch: SimChannel,
  ) {
    ch.whenHungUp(() => this.poke());
  }

  controllerConnected(): void {
    this.markConnected();
  }

  get socketAppData(): string {
    const t = this.sim.opts.socketTarget;
    return `${t.host}:${t.port} async full`;
  }

  /** Run `socket`: connect to the controller; refused -> fail-safe at once (trace i). */
  async connect(): Promise<void> {
    this.sim.emitEvent(this.ch, 'CHANNEL_EXECUTE', this.appHeaders('socket', this.socketAppData, this.socketAppUuid));
    const t = this.sim.opts.socketTarget;
    const socket = net.connect({ host: t.host, port: t.port });
    this.sim.track(socket);
    await new Promise<void>((resolve) => {
      socket.once('connect', () => {
        this.session = new OutboundSession(this, socket);
        resolve();
      });
      socket.once('error', () => {
        if (!this.session) {
          this.detach('refused');
          resolve();
        }
      });
    });
    void this.loop();
  }

  /** Deliver an event about the controlled channel to its controller (if it asked for events). */
  deliver(name: string, headers: Header[]): void {
    this.session?.deliverEvent(name, headers);
  }

  /** The controller asked for an application (sendmsg execute). */
  enqueue(app: string, arg: string, eventUuid: string, locked = false): void {
    this.sim.recordApp({ uuid: this.ch.uuid, app, arg });
    const running = this.running;
    if (running && !running.locked && PARSES_QUEUE_WHILE_RUNNING.has(running.app)) {
      void this.exec({ app, arg, eventUuid, locked });
      return;
    }
    this.queue.push({ app, arg, eventUuid, locked });
    this.poke();
  }

  /** The controller's socket went away. The `socket` app ends; the dialplan goes on. */
  detach(reason: 'refused' | 'socket-closed'): void {
    if (this.detached) return;
    this.detached = true;
    this.markConnected();
    this.session = null;
    if (!this.ch.up) {
      if (this.finished && !this.ch.destroyed) this.destroy();
      return;
    }
    this.sim.recordFailsafe({ uuid: this.ch.uuid, from: this.ch.callerNumber, to: this.ch.destination, reason, at: new Date().toISOString() });
    this.poke();
  }

  private hangupEventDue = false;

  /** lateCallerHangup: CHANNEL_HANGUP goes out after the running application's EXECUTE_COMPLETE. */
  hangupEventLater(): void {
    this.hangupEventDue = true;
  }

  /** Sent a moment later (another thread, on the real switch): a controller reading both in one chunk would see no race. */
  private async flushHangupEvent(): Promise<void> {
    if (!this.hangupEventDue) return;
    await new Promise<void>((resolve) => this.sim.later(20, resolve));
    this.hangupEventDue = false;
    this.sim.emitEvent(this.ch, 'CHANNEL_HANGUP');
  }

  /** The controlled channel hung up (any cause): wake the loop so it can finish. */
  onHangup(): void {
    if (this.sim.opts.earlyLingerNotice) this.session?.sendLingerNotice();
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async loop(): Promise<void> {
    let failsafeRun = false;
    while (this.ch.up && !this.sim.isStopped) {
      // Once detached, the controller's queued apps are dropped: FreeSWITCH leaves `socket`.
      const next = this.detached ? undefined : this.queue.shift();
      if (next) {
        await this.exec(next);
        continue;
      }
      if (this.detached) {
        if (failsafeRun) break;
        failsafeRun = true;
        await this.failsafe();
        continue;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
    // Surprise 2: anything still queued after the hangup never runs and sends no events.
    this.queue.length = 0;
    this.finish();
  }

  /** CHANNEL_EXECUTE, the application itself, CHANNEL_EXECUTE_COMPLETE with the same Application-UUID. */
  async exec(a: QueuedApp): Promise<void> {
    if (!this.ch.up) return;
    this.ch.vars.set('current_application', a.app);
    this.ch.vars.set('current_application_data', a.arg);
    this.sim.emitEvent(this.ch, 'CHANNEL_EXECUTE', this.appHeaders(a.app, a.arg, a.eventUuid));
    const outer = this.running;
    this.running = a;
    try {
      await runApp(this, a.app, expand(a.arg, this.ch.vars));
    } finally {
      this.running = outer;
    }
    this.sim.emitEvent(this.ch, 'CHANNEL_EXECUTE_COMPLETE', [...this.appHeaders(a.app, a.arg, a.eventUuid), ['Application-Response', '_none_']]);
    await this.flushHangupEvent();
  }

  private appHeaders(app: string, arg: string, uuid: string): Header[] {
    const h: Header[] = [['Application', app]];
    if (arg) h.push(['Application-Data', arg]);
    h.push(['Application-UUID', uuid]);
    return h;
  }

  /** The actions after `socket` in the shipped dialplan: company phone, then company mailbox. */
  private async failsafe(): Promise<void> {
    if (!this.socketDone) this.completeSocketApp();
    const f = this.sim.opts.failsafe ?? {};
    const run = (app: string, arg: string) => this.exec({ app, arg, eventUuid: randomUUID() });
    await run('log', `WARNING switchboard fail-safe reached for ${this.ch.uuid}`);
    if (f.companyPhone) {
      await run('set', 'continue_on_fail=true');
      await run('set', 'hangup_after_bridge=true');
      await run('bridge', `{ignore_early_media=true,leg_timeout=30}sofia/gateway/carrier/${f.companyPhone}`);
    }
    if (f.companyMailbox) {
      await run('answer', '');
      await run('voicemail', `default default ${f.companyMailbox}`);
    }
    await run('hangup', 'NORMAL_TEMPORARY_FAILURE');
  }

  private completeSocketApp(): void {
    this.socketDone = true;
    this.sim.emitEvent(this.ch, 'CHANNEL_EXECUTE_COMPLETE', [
      ...this.appHeaders('socket', this.socketAppData, this.socketAppUuid),
      ['Application-Response', '_none_'],
    ]);
  }

  /** The recorded tail after a hangup: UNPARK, socket complete, STATE x2, HANGUP_COMPLETE, notices. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.hangupEventDue) {
      // Only if no application was running to complete first (exec sends it otherwise).
      this.hangupEventDue = false;
      this.sim.emitEvent(this.ch, 'CHANNEL_HANGUP');
    }
    this.sim.emitEvent(this.ch, 'CHANNEL_UNPARK');
    if (!this.socketDone) this.completeSocketApp();
    this.sim.emitEvent(this.ch, 'CHANNEL_STATE');
    this.ch.chanState = 'CS_REPORTING';
    this.ch.callState = 'HANGUP';
    this.sim.emitEvent(this.ch, 'CHANNEL_STATE');
    this.sim.emitEvent(this.ch, 'CHANNEL_HANGUP_COMPLETE');
    if (this.session) this.session.onHangupComplete();
    else this.destroy();
  }

  /** CHANNEL_DESTROY: only once the controller's socket is gone (a5: linger forever holds it). */
  destroy(): void {
    if (this.ch.destroyed || !this.finished) return;
    this.ch.destroyed = true;
    this.sim.emitEvent(this.ch, 'CHANNEL_DESTROY');
  }
}

/** FreeSWITCH expands `${var}` in application data from the channel, then from global variables. */
const GLOBALS: Readonly<Record<string, string>> = { domain: 'default' };
function expand(arg: string, vars: Map<string, string>): string {
  return arg.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => vars.get(name) ?? GLOBALS[name] ?? '');
}
