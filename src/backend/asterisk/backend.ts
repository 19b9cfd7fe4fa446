/**
 * The Asterisk backend: takes inbound channels from our Stasis app and hands each to the session
 * as a CallControl. Events are routed by channel/bridge id to the call that owns them; ids are
 * unregistered when the channel goes, so no listener outlives its channel.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import type { CallControl, PbxBackend } from '../types.js';
import { AriRest } from './rest.js';
import { AriEvents, type AriEvent } from './events.js';
import { AsteriskCall, LEG_APP_ARG } from './call.js';

export interface AsteriskBackendOptions {
  config: Config;
  log: Logger;
}

type AsteriskSettings = NonNullable<Config['asterisk']>;

/** The defaults of the `asterisk` config section, for a config that leaves it out. */
export function asteriskSettings(config: Config): AsteriskSettings {
  return (
    config.asterisk ?? {
      url: 'http://127.0.0.1:8088',
      username: 'switchboard',
      password: '',
      app: 'switchboard',
      voicemailContext: 'switchboard-voicemail',
      maxSockets: 32,
      requestTimeoutMs: 5000,
    }
  );
}

export class AsteriskBackend implements PbxBackend {
  readonly kind = 'asterisk' as const;
  readonly rest: AriRest;
  readonly events: AriEvents;
  private readonly owners = new Map<string, AsteriskCall>();
  private onCall: ((call: CallControl) => Promise<void>) | null = null;
  private accepting = true;
  private readonly settings: AsteriskSettings;
  private readonly idPrefix = `sb${randomBytes(4).toString('hex')}`;
  private seq = 0;

  constructor(private readonly opts: AsteriskBackendOptions) {
    this.settings = asteriskSettings(opts.config);
    const { url, username, password, app, maxSockets, requestTimeoutMs } = this.settings;
    this.rest = new AriRest({ url, username, password, maxSockets, timeoutMs: requestTimeoutMs });
    this.events = new AriEvents({ url, username, password, app, log: opts.log.child({ component: 'ari' }) });
    this.events.on('event', (e: AriEvent) => this.dispatch(e));
  }

  async start(onCall: (call: CallControl) => Promise<void>): Promise<void> {
    this.onCall = onCall;
    await this.events.start();
  }

  /** Take no new calls (calls in progress go on). */
  stopAccepting(): void {
    this.accepting = false;
  }

  async stop(): Promise<void> {
    this.accepting = false;
    await this.events.stop();
    this.rest.close();
  }

  isConnected(): boolean {
    return this.events.isConnected();
  }

  /** Calls being handled right now. */
  activeCalls(): number {
    return new Set(this.owners.values()).size;
  }

  private newId(): string {
    return `${this.idPrefix}-${(this.seq++).toString(36)}`;
  }

  private register(id: string, call: AsteriskCall | null): void {
    if (call) this.owners.set(id, call);
    else this.owners.delete(id);
  }

  private dispatch(event: AriEvent): void {
    try {
      const ids = eventIds(event);
      const owner = ids.map((id) => this.owners.get(id)).find((o) => o !== undefined);
      if (owner) return owner.onEvent(event);
      if (event.type === 'StasisStart') return this.onStasisStart(event);
      this.opts.log.trace({ type: event.type, ids }, 'event for a channel we do not handle');
    } catch (err) {
      // One bad event must never take the controller down.
      this.opts.log.error({ err: (err as Error).message, type: event?.type }, 'event handling failed');
    }
  }

  private onStasisStart(event: AriEvent): void {
    const channel = event.channel as { id?: unknown; name?: unknown } | undefined;
    const args = Array.isArray(event.args) ? event.args.map(String) : [];
    if (!channel || typeof channel.id !== 'string') return;
    const log = this.opts.log.child({ channel: channel.id });
    if (args[0] === LEG_APP_ARG) {
      // A leg of ours that no live call owns (its call ended, or we restarted): nobody will bridge it.
      log.info('orphan leg entered Stasis: hanging it up');
      void this.rest.hangup(channel.id).catch(() => undefined);
      return;
    }
    if (!this.accepting || !this.onCall) {
      // Draining: let the dialplan's fail-safe route take it instead of holding it here.
      log.info('not accepting calls: sending the call back to the dialplan');
      void this.rest.hangup(channel.id, { reason: 'congestion' }).catch(() => undefined);
      return;
    }
    const call = new AsteriskCall(channel as never, args, {
      rest: this.rest,
      app: this.settings.app,
      voicemailContext: this.settings.voicemailContext,
      templates: { endpoint: this.opts.config.endpoints.asterisk, trunk: this.opts.config.trunks.default!.asterisk },
      log,
      register: (id, c) => this.register(id, c),
      newId: () => this.newId(),
    });
    this.register(channel.id, call);
    const onCall = this.onCall;
    void onCall(call)
      .catch((err) => log.error({ err: (err as Error).message }, 'call session failed'))
      .finally(() => call.dispose());
  }
}

/** The channel and bridge ids an event is about. */
function eventIds(event: AriEvent): string[] {
  const ids: string[] = [];
  for (const key of ['channel', 'peer', 'bridge', 'transferee', 'transferer_first_leg', 'transferer_second_leg']) {
    const v = event[key] as { id?: unknown } | undefined;
    if (v && typeof v.id === 'string') ids.push(v.id);
  }
  return ids;
}
