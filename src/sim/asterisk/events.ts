/**
 * The ARI event fan-out: which Stasis applications exist, which WebSockets are connected for them,
 * and delivery of events to the apps subscribed to a channel or bridge.
 *
 * Asterisk quirk reproduced here: an app with no WebSocket is "inactive". Its events are dropped
 * ("Inactive Stasis app 'x' missed message") and never replayed; it keeps existing only while it
 * still has subscribed channels or bridges (trace g2: `GET /applications` is `[]` otherwise).
 */
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { ariTimestamp } from './clock.js';
import type { SimEventRecord } from './types.js';

/** The asterisk_id our simulated system reports (the recorded one was a MAC address too). */
export const ASTERISK_ID = '02:fc:00:00:00:5a';

interface AppSockets { sockets: Set<WebSocket>; subscribeAll: boolean }

/** An app's event filter (PUT /applications/{app}/eventFilter): type names; empty = no filter. */
export interface EventFilter { allowed: string[]; disallowed: string[] }

/** Registry of apps and their sockets; emits every produced event on `emitter` ('event'). */
export class EventBus {
  private readonly apps = new Map<string, AppSockets>();
  private readonly filters = new Map<string, EventFilter>();

  constructor(readonly emitter: EventEmitter) {}

  /**
   * Attach a socket to the apps named in `?app=`. As Asterisk does (res/stasis/app.c app_update,
   * seen on the real 22.10.1 in test/pbx/multinode/app-replaced.test.ts): a socket for an app that
   * already has one replaces it; the old one gets `ApplicationReplaced` and none of the app's
   * events from then on.
   */
  attach(ws: WebSocket, apps: string[], subscribeAll: boolean): void {
    for (const app of apps) {
      const entry = this.apps.get(app) ?? { sockets: new Set<WebSocket>(), subscribeAll: false };
      for (const old of entry.sockets) {
        if (old !== ws && old.readyState === 1) old.send(JSON.stringify({ type: 'ApplicationReplaced', timestamp: ariTimestamp(), application: app, asterisk_id: ASTERISK_ID }));
      }
      entry.sockets.clear();
      entry.subscribeAll = false;
      entry.sockets.add(ws);
      entry.subscribeAll = entry.subscribeAll || subscribeAll;
      this.apps.set(app, entry);
    }
    ws.on('close', () => {
      for (const app of apps) {
        const entry = this.apps.get(app);
        if (!entry) continue;
        entry.sockets.delete(ws);
        if (entry.sockets.size === 0) entry.subscribeAll = false;
      }
    });
  }

  /** True when at least one open WebSocket serves `app` (Stasis() succeeds only then). */
  isActive(app: string): boolean {
    const entry = this.apps.get(app);
    return !!entry && [...entry.sockets].some((s) => s.readyState === 1);
  }

  /** Apps that ever connected (the caller filters out those that no longer exist). */
  knownApps(): string[] {
    return [...this.apps.keys()];
  }

  /** Forget an app that has neither a socket nor subscriptions (Asterisk destroys it, filter and all). */
  forget(app: string): void {
    if (this.isActive(app)) return;
    this.apps.delete(app);
    this.filters.delete(app);
  }

  filterOf(app: string): EventFilter {
    return this.filters.get(app) ?? { allowed: [], disallowed: [] };
  }

  /**
   * As res/stasis/app.c app_event_filter_set: `{}` clears both lists; a list left out of the body
   * stays as it was.
   */
  setFilter(app: string, body: Partial<Record<'allowed' | 'disallowed', { type: string }[]>>): void {
    const names = (l: { type: string }[]) => l.map((e) => e.type);
    const now = this.filterOf(app);
    if (!body.allowed && !body.disallowed) return void this.filters.delete(app);
    this.filters.set(app, { allowed: body.allowed ? names(body.allowed) : now.allowed, disallowed: body.disallowed ? names(body.disallowed) : now.disallowed });
  }

  /** stasis_app_event_allowed: not disallowed, and allowed when an allow list exists. */
  private allows(app: string, type: string): boolean {
    const f = this.filters.get(app);
    if (!f) return true;
    return !f.disallowed.includes(type) && (f.allowed.length === 0 || f.allowed.includes(type));
  }

  /** Apps connected with subscribeAll=true: they get every channel and bridge event. */
  subscribeAllApps(): string[] {
    return [...this.apps.entries()].filter(([, e]) => e.subscribeAll && e.sockets.size > 0).map(([k]) => k);
  }

  /** Send one event to each app (Asterisk sends a copy per app, with its own `application`). */
  publish(type: string, body: Record<string, unknown>, apps: Iterable<string>): void {
    const timestamp = ariTimestamp();
    const seen = new Set<string>();
    for (const app of [...apps, ...this.subscribeAllApps()]) {
      if (seen.has(app)) continue;
      seen.add(app);
      const event = { type, timestamp, ...body, asterisk_id: ASTERISK_ID, application: app };
      // Asterisk checks the app's filter before it writes the event out (res/ari/ari_websockets.c).
      const delivered = this.allows(app, type) && this.send(app, event);
      const record: SimEventRecord = { app, delivered, event };
      this.emitter.emit('event', record);
      if (type === 'ChannelDestroyed') this.emitter.emit('channel-destroyed', record);
    }
    // A channel that has left every app (a caller hung up by the controller after StasisEnd) is
    // still destroyed with its cause: tests see that too, as an event delivered to nobody.
    if (seen.size === 0 && type === 'ChannelDestroyed') {
      this.emitter.emit('channel-destroyed', { app: '', delivered: false, event: { type, timestamp, ...body, asterisk_id: ASTERISK_ID } });
    }
  }

  /** Close every socket abruptly (ari-client reconnects by itself, as after a network drop). */
  dropAll(): number {
    let n = 0;
    for (const entry of this.apps.values()) {
      for (const ws of entry.sockets) {
        ws.terminate();
        n++;
      }
    }
    return n;
  }

  private send(app: string, event: Record<string, unknown>): boolean {
    const entry = this.apps.get(app);
    if (!entry) return false;
    let delivered = false;
    const text = JSON.stringify(event);
    for (const ws of entry.sockets) {
      if (ws.readyState !== 1) continue;
      ws.send(text);
      delivered = true;
    }
    return delivered;
  }
}
