/**
 * The few ARI REST calls `switchboard simulate` needs, with plain `fetch` and basic auth. It plays the
 * carrier and the PSTN caller only: it never joins a Stasis app, so it runs unchanged against a real
 * Asterisk and against the simulator (no /_sim control API).
 */
import { AriHttpError, SwitchboardError } from '../errors.js';

/** Where ARI is and who we are. `url` is the HTTP server (`http://asterisk:8088`), with or without `/ari`. */
export interface AriTarget {
  url: string;
  username: string;
  password: string;
  /** Per-request deadline; Asterisk answers REST calls in milliseconds, so a stall means trouble. */
  requestTimeoutMs?: number;
}

/** The fields of an ARI Channel we use. */
export interface AriChannel {
  id: string;
  name: string;
  state: string;
}

/** An inbound trunk call to place: see `originateInbound`. */
export interface InboundCallSpec {
  to: string;
  from: string;
  trunkContext: string;
  callerContext: string;
  /** Our id for the `;1` half (the PSTN caller). */
  callerChannelId: string;
  /** Our id for the `;2` half: the channel that enters Stasis, hence the call-log row's id. */
  callChannelId: string;
  /** Asterisk's originate timeout: how long the `;1` half waits for the `;2` half to be answered. */
  timeoutSec: number;
}

/** A small ARI REST client for the simulated carrier. */
export class SimulateAri {
  private readonly base: string;
  private readonly auth: string;
  private readonly timeoutMs: number;

  constructor(private readonly target: AriTarget) {
    this.base = `${target.url.replace(/\/+$/, '').replace(/\/ari$/, '')}/ari`;
    this.auth = `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`;
    this.timeoutMs = target.requestTimeoutMs ?? 5000;
  }

  /** GET /asterisk/info: proves ARI is reachable and accepts our credentials. */
  async ping(): Promise<void> {
    await this.request('GET', '/asterisk/info');
  }

  /**
   * Deliver a call the way the reference set-up does (../shared/asterisk-reference, "Test set-up"):
   * `Local/<to>@<trunk context>`, whose `;2` half runs the trunk context into the controller's Stasis
   * app, and whose `;1` half is the caller, sent to `<caller context>,talk` once answered.
   *
   * Correlation: we pick both halves' ids ourselves (`channelId` / `otherChannelId`, ARI since
   * Asterisk 12), so the `;2` id (the call-log row's id) is known without looking it up by name
   * in GET /channels or listening to events.
   */
  async originateInbound(spec: InboundCallSpec): Promise<AriChannel> {
    const params: Record<string, string> = {
      endpoint: `Local/${spec.to}@${spec.trunkContext}`,
      context: spec.callerContext,
      extension: 'talk',
      priority: '1',
      channelId: spec.callerChannelId,
      otherChannelId: spec.callChannelId,
      timeout: String(Math.max(1, Math.ceil(spec.timeoutSec))),
    };
    // No callerId at all is what a carrier sending no number looks like; "anonymous" is sent as is.
    if (spec.from !== '') params['callerId'] = spec.from;
    return (await this.request('POST', '/channels', params)) as AriChannel;
  }

  /** GET /channels/{id}; null when the channel is gone (404). */
  async channel(id: string): Promise<AriChannel | null> {
    try {
      return (await this.request('GET', `/channels/${encodeURIComponent(id)}`)) as AriChannel;
    } catch (err) {
      if (err instanceof AriHttpError && err.status === 404) return null;
      throw err;
    }
  }

  /** DELETE /channels/{id} (the caller hangs up); false when it was already gone. */
  async hangup(id: string): Promise<boolean> {
    try {
      await this.request('DELETE', `/channels/${encodeURIComponent(id)}`);
      return true;
    } catch (err) {
      if (err instanceof AriHttpError && err.status === 404) return false;
      throw err;
    }
  }

  private async request(method: string, path: string, params: Record<string, string> = {}): Promise<unknown> {
    const query = new URLSearchParams(params).toString();
    const url = `${this.base}${path}${query ? `?${query}` : ''}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers: { authorization: this.auth }, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError') {
        throw new SwitchboardError('ARI_TIMEOUT', `ARI at ${this.target.url} did not answer ${method} ${path} within ${this.timeoutMs} ms`, { url: this.target.url, method, path });
      }
      const why = e.cause?.code ?? e.cause?.message ?? e.message;
      throw new SwitchboardError('ARI_DISCONNECTED', `cannot reach ARI at ${this.target.url}: ${why}`, { url: this.target.url, method, path }, { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw new AriHttpError(method, path, res.status, text);
    if (!text) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AriHttpError(method, path, res.status, `not JSON: ${text.slice(0, 100)}`);
    }
  }
}
