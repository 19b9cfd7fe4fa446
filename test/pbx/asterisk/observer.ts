/**
 * Watches everything a real Asterisk does, through a Stasis app of its own subscribed to every
 * event source (`subscribeAll`): channels and bridges alive (the leak check), the dial strings
 * and caller IDs of the channels the controller originated, the mailboxes VoiceMail() ran for,
 * and every event as received (the recordings that become fixtures).
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { OBSERVER_APP } from './config.js';
import type { AsteriskInstance } from './instance.js';

export interface ObservedEvent {
  t_ms: number;
  type: string;
  event: Record<string, any>;
}

interface ChannelInfo {
  name: string;
  callerNumber: string;
}

/**
 * The caller ID as the controller presented it: Asterisk keeps a bare `callerId=anonymous` as
 * the NAME (number "") since it is not a phone number, so the number, else the name.
 */
const presented = (ch: Record<string, any>): string => ch.caller?.number || ch.caller?.name || '';

const TEST_DEVICE = /^Local\/([^@]+)@(sb-test-phones|sb-test-carrier)-[0-9a-f]+;1$/;

export class AriObserver extends EventEmitter {
  readonly events: ObservedEvent[] = [];
  readonly channels = new Map<string, ChannelInfo>();
  readonly bridges = new Map<string, string[]>();
  readonly mailboxes: string[] = [];
  /** Channels that ran the shipped dialplan's [switchboard-failsafe] (no controller took them). */
  readonly failsafe = new Set<string>();
  /** Originated test-device channels in creation order (id), for dialed(). */
  private readonly dialedIds: string[] = [];
  /** Destroyed test-device channels keep their last name and caller ID here for dialed(). */
  private readonly gone = new Map<string, ChannelInfo>();
  private readonly start = Date.now();
  private ws!: WebSocket;

  /** Connect to a real Asterisk instance, or to any ARI (the simulator) given as URL and credentials. */
  static async connect(target: AsteriskInstance | { ariUrl: string; ariUser: string; ariPassword: string }): Promise<AriObserver> {
    const o = new AriObserver();
    const base = target.ariUrl.replace(/^http/, 'ws').replace(/\/+$/, '').replace(/\/ari$/, '');
    const url = `${base}/ari/events?app=${OBSERVER_APP}&subscribeAll=true&api_key=${encodeURIComponent(`${target.ariUser}:${target.ariPassword}`)}`;
    o.ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      o.ws.once('open', () => resolve());
      o.ws.once('error', reject);
    });
    o.ws.on('message', (data) => o.onEvent(JSON.parse(String(data)) as Record<string, any>));
    return o;
  }

  private track(ch: Record<string, any> | undefined): void {
    if (!ch?.id || this.channels.get(ch.id) === undefined) return;
    this.channels.set(ch.id, { name: ch.name, callerNumber: presented(ch) });
  }

  private onEvent(e: Record<string, any>): void {
    this.events.push({ t_ms: Date.now() - this.start, type: e.type, event: e });
    const ch = e.channel as Record<string, any> | undefined;
    switch (e.type) {
      case 'ChannelCreated':
        this.channels.set(ch!.id, { name: ch!.name, callerNumber: presented(ch!) });
        if (TEST_DEVICE.test(ch!.name)) this.dialedIds.push(ch!.id);
        break;
      case 'ChannelDestroyed':
        this.track(ch);
        if (this.dialedIds.includes(ch!.id)) this.gone.set(ch!.id, { name: ch!.name, callerNumber: presented(ch!) });
        this.channels.delete(ch!.id);
        break;
      case 'BridgeCreated':
        this.bridges.set(e.bridge.id, e.bridge.channels ?? []);
        break;
      case 'BridgeDestroyed':
        this.bridges.delete(e.bridge.id);
        break;
      case 'ChannelEnteredBridge':
      case 'ChannelLeftBridge':
        if (this.bridges.has(e.bridge.id)) this.bridges.set(e.bridge.id, e.bridge.channels ?? []);
        this.track(ch);
        break;
      case 'ChannelDialplan':
        this.track(ch);
        if (e.dialplan_app === 'VoiceMail') this.mailboxes.push(String(e.dialplan_app_data).split('@')[0]!);
        if (ch?.dialplan?.context === 'switchboard-failsafe') this.failsafe.add(ch.id);
        break;
      default:
        this.track(ch);
        this.track(e.peer);
    }
    this.emit('event', e);
  }

  /** The dial strings (without Local's own suffix) and caller IDs of the controller's originates. */
  dialed(): { dial: string; callerId: string }[] {
    return this.dialedIds.map((id) => {
      const info = this.channels.get(id) ?? this.gone.get(id);
      const m = TEST_DEVICE.exec(info?.name ?? '');
      return { dial: m ? `Local/${m[1]}@${m[2]}` : String(info?.name), callerId: info?.callerNumber ?? '' };
    });
  }

  close(): void {
    this.ws?.close();
  }
}
