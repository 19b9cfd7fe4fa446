/**
 * ARI REST calls, typed, over a bounded keep-alive socket pool.
 *
 * Why not ari-client's own operations: they go through swagger-client 2.0.26, which turns every
 * HTTP error into `new Error(body)` (the status is lost, so a 404 "channel gone" cannot be told from
 * a 500 "Allocation failed"), has no request timeout, and opens sockets without a bound. Asterisk
 * shares 100 HTTP sessions (http.conf `sessionlimit`) between the WebSocket and every REST socket,
 * and past the limit it accepts the connection and never answers. So: one keep-alive Agent with
 * `maxSockets` well under the limit, a timeout on every call, and errors that keep their status.
 */
import http from 'node:http';
import { AriHttpError, SwitchboardError } from '../../errors.js';

export interface AriChannel {
  id: string;
  name: string;
  state: string;
  caller: { name: string; number: string };
  connected?: { name: string; number: string };
  dialplan?: { context: string; exten: string; priority: number };
  creationtime?: string;
}

export interface AriBridge {
  id: string;
  channels: string[];
  bridge_type?: string;
}

export interface OriginateParams {
  endpoint: string;
  app: string;
  appArgs: string;
  channelId: string;
  callerId?: string;
  timeout: number;
  originator?: string;
  variables?: Record<string, string>;
}

export type HangupReason = 'normal' | 'busy' | 'congestion' | 'no_answer' | 'answered_elsewhere' | 'failure';

export interface AriRestOptions {
  url: string;
  username: string;
  password: string;
  maxSockets: number;
  timeoutMs: number;
}

/** Typed ARI REST client with a bounded socket pool and per-request timeouts. */
export class AriRest {
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly auth: string;
  private readonly timeoutMs: number;

  constructor(opts: AriRestOptions) {
    this.base = new URL(opts.url);
    this.auth = 'Basic ' + Buffer.from(`${opts.username}:${opts.password}`).toString('base64');
    this.timeoutMs = opts.timeoutMs;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets, scheduling: 'lifo' });
  }

  /** Close pooled sockets. */
  close(): void {
    this.agent.destroy();
  }

  /** Sockets open or queued right now (for metrics and the session-limit test). */
  socketsInUse(): number {
    const count = (m: NodeJS.ReadOnlyDict<unknown[]>) => Object.values(m).reduce((n, l) => n + (l?.length ?? 0), 0);
    return count(this.agent.sockets) + count(this.agent.freeSockets);
  }

  /** One REST call; resolves with the parsed body (or undefined for 204). */
  request<T = unknown>(method: string, path: string, query: Record<string, string | number | undefined> = {}, body?: unknown): Promise<T> {
    const url = new URL(`/ari${path}`, this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<T>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: this.auth,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : { 'content-length': 0 }),
          },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(new SwitchboardError('ARI_DISCONNECTED', `ARI ${method} ${path}: ${err.message}`, { method, path }, { cause: err })));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) return reject(new AriHttpError(method, path, status, text));
            if (!text) return resolve(undefined as T);
            try {
              resolve(JSON.parse(text) as T);
            } catch {
              reject(new AriHttpError(method, path, status, `unparseable body: ${text.slice(0, 100)}`));
            }
          });
        },
      );
      // A socket that connects but never answers (Asterisk past its session limit) ends here.
      const timer = setTimeout(() => req.destroy(new SwitchboardError('ARI_TIMEOUT', `ARI ${method} ${path}: no answer in ${this.timeoutMs} ms`, { method, path })), this.timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err instanceof SwitchboardError ? err : new SwitchboardError('ARI_DISCONNECTED', `ARI ${method} ${path}: ${err.message}`, { method, path }, { cause: err }));
      });
      req.end(payload);
    });
  }

  /** POST /channels: originate a channel into our Stasis app. */
  originate(p: OriginateParams): Promise<AriChannel> {
    const { variables, ...q } = p;
    return this.request<AriChannel>('POST', '/channels', { ...q }, variables ? { variables } : undefined);
  }

  /** DELETE /channels/{id}; a channel that is already gone (404) is not an error. */
  async hangup(channelId: string, how: { reason?: HangupReason; reasonCode?: number } = {}): Promise<void> {
    try {
      await this.request('DELETE', `/channels/${encodeURIComponent(channelId)}`, how.reasonCode !== undefined ? { reason_code: how.reasonCode } : { reason: how.reason ?? 'normal' });
    } catch (err) {
      if (err instanceof AriHttpError && err.status === 404) return;
      throw err;
    }
  }

  /** POST /channels/{id}/ring: ringing indication to the caller without answering. */
  ring(channelId: string): Promise<void> {
    return this.request('POST', `/channels/${encodeURIComponent(channelId)}/ring`);
  }

  /** POST /channels/{id}/answer. */
  answer(channelId: string): Promise<void> {
    return this.request('POST', `/channels/${encodeURIComponent(channelId)}/answer`);
  }

  /** POST /channels/{id}/continue: leave Stasis and go on in the dialplan. */
  continueInDialplan(channelId: string, context: string, extension: string, priority = 1): Promise<void> {
    return this.request('POST', `/channels/${encodeURIComponent(channelId)}/continue`, { context, extension, priority });
  }

  /** POST /channels/{id}/play/{playbackId}: play `media` (`sound:beep`) on a channel in Stasis. */
  play(channelId: string, playbackId: string, media: string): Promise<unknown> {
    return this.request('POST', `/channels/${encodeURIComponent(channelId)}/play/${encodeURIComponent(playbackId)}`, { media });
  }

  /** DELETE /playbacks/{id}: stop a playback; one already over (404) is not an error. */
  async stopPlayback(playbackId: string): Promise<void> {
    try {
      await this.request('DELETE', `/playbacks/${encodeURIComponent(playbackId)}`);
    } catch (err) {
      if (err instanceof AriHttpError && err.status === 404) return;
      throw err;
    }
  }

  /** GET /channels/{id}/variable: a channel variable or dialplan function; null where it has none (404). */
  async getVariable(channelId: string, variable: string): Promise<string | null> {
    try {
      const r = await this.request<{ value?: string }>('GET', `/channels/${encodeURIComponent(channelId)}/variable`, { variable });
      return r?.value ?? null;
    } catch (err) {
      if (err instanceof AriHttpError && err.status === 404) return null;
      throw err;
    }
  }

  /** GET /channels. */
  listChannels(): Promise<AriChannel[]> {
    return this.request<AriChannel[]>('GET', '/channels');
  }

  /** POST /bridges: a mixing bridge with our id. */
  createBridge(bridgeId: string, name: string): Promise<AriBridge> {
    return this.request<AriBridge>('POST', '/bridges', { type: 'mixing', bridgeId, name });
  }

  /** POST /bridges/{id}/addChannel. */
  addChannels(bridgeId: string, channelIds: string[]): Promise<void> {
    return this.request('POST', `/bridges/${encodeURIComponent(bridgeId)}/addChannel`, { channel: channelIds.join(',') });
  }

  /** DELETE /bridges/{id}; already gone is fine. */
  async destroyBridge(bridgeId: string): Promise<void> {
    try {
      await this.request('DELETE', `/bridges/${encodeURIComponent(bridgeId)}`);
    } catch (err) {
      if (err instanceof AriHttpError && err.status === 404) return;
      throw err;
    }
  }

  /** GET /bridges. */
  listBridges(): Promise<AriBridge[]> {
    return this.request<AriBridge[]>('GET', '/bridges');
  }

  /** GET /applications/{app}: the channel and bridge ids Asterisk holds for our app. */
  getApplication(app: string): Promise<{ name: string; channel_ids: string[]; bridge_ids: string[] }> {
    return this.request('GET', `/applications/${encodeURIComponent(app)}`);
  }

  /** PUT /applications/{app}/eventFilter: the event types Asterisk should not send the app. */
  setEventFilter(app: string, filter: { disallowed: { type: string }[] }): Promise<unknown> {
    return this.request('PUT', `/applications/${encodeURIComponent(app)}/eventFilter`, {}, filter);
  }

  /** POST /applications/{app}/subscription: also get ChannelDestroyed for a channel after StasisEnd. */
  subscribe(app: string, eventSource: string): Promise<unknown> {
    return this.request('POST', `/applications/${encodeURIComponent(app)}/subscription`, { eventSource });
  }
}
