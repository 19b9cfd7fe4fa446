/**
 * What the parts of the FreeSWITCH simulator need from each other, as interfaces: the sessions,
 * the api commands and the applications see the simulator as a SimHost and a controlled call as
 * an AppRunner, so they never import simulator.ts or call.ts back (one-way dependencies).
 */
import type net from 'node:net';
import type { DeviceBehaviour } from '../devices.js';
import type { SimChannel } from './channel.js';
import { eventJson, eventPlain } from '../../esl/protocol.js';

export type Header = [string, string];

export interface EslSimulatorOptions {
  eslPort?: number;
  password: string;
  socketTarget: { host: string; port: number };
  failsafe?: { companyPhone?: string; companyMailbox?: string };
  /** How long a caller stays in voicemail before hanging up (default 30 s). */
  voicemailMaxMs?: number;
  /** Send the linger notice right after CHANNEL_HANGUP, before the last events (surprise 5). */
  earlyLingerNotice?: boolean;
  /**
   * Channel variables the dialplan sets before `socket`: by default what the shipped
   * dialplan/freeswitch/switchboard.xml sets (SHIPPED_BEFORE_SOCKET); `{}` imitates an older copy.
   */
  beforeSocket?: Record<string, string>;
  /**
   * A controlled leg hung up from outside while bridged (the caller left, `uuid_kill`) sends its
   * CHANNEL_HANGUP after the bridge's CHANNEL_UNBRIDGE and CHANNEL_EXECUTE_COMPLETE, as a real
   * FreeSWITCH can: the hanging-up thread marks the channel CS_HANGUP before it fires the event
   * (switch_channel.c, switch_channel_perform_hangup) and the bridge can return in between.
   */
  lateCallerHangup?: boolean;
  /** The sofia profile's `multiple-registrations` (default off, as vanilla): see registrations.ts. */
  multipleRegistrations?: boolean;
  /** Directory users, each registered until it unregisters (default vanilla's 1000-1019; registrations.ts). */
  directory?: readonly string[];
}

export interface VoicemailRecord {
  uuid: string;
  profile: string;
  domain: string;
  mailbox: string;
  /** Whether the channel had been answered when voicemail started (voicemail itself does not answer). */
  answered: boolean;
  from: string;
  to: string;
  at: string;
  /** The stored message's length once voicemail has returned; null while it runs or when it kept none. */
  messageSeconds: number | null;
}

export interface FailsafeRecord {
  uuid: string;
  from: string;
  to: string;
  reason: 'refused' | 'socket-closed';
  at: string;
}

export interface ExecutedApp {
  uuid: string;
  app: string;
  arg: string;
}

/** The simulator as its sessions, api commands and applications use it. */
export interface SimHost {
  readonly opts: EslSimulatorOptions;
  readonly isStopped: boolean;
  deviceFor(target: string): DeviceBehaviour | null;
  /** Registered phones (`show registrations`). */
  readonly registrations: { show(json: boolean): string; contact(user: string): string };
  /** Follow a socket so `stop()` closes it. */
  track(socket: net.Socket): void;
  /** setTimeout that `stop()` clears. */
  later(ms: number, fn: () => void): NodeJS.Timeout;
  cancel(t: NodeJS.Timeout | null | undefined): void;
  addChannel(ch: SimChannel): void;
  getChannel(uuid: string): SimChannel | undefined;
  liveChannels(): SimChannel[];
  recordDial(arg: string): void;
  recordApp(a: ExecutedApp): void;
  recordVoicemail(v: VoicemailRecord): void;
  recordFailsafe(f: FailsafeRecord): void;
  /** Publish an event about `ch`: to inbound subscribers, and to its controller if it is controlled. */
  emitEvent(ch: SimChannel, name: string, extra?: Header[]): void;
  emitBackgroundJob(jobUuid: string, cmd: string, arg: string, body: string): void;
  hangupChannel(ch: SimChannel, cause: string): void;
}

/** A controlled channel running its applications (call.ts's CallRunner), as apps and sessions see it. */
export interface AppRunner {
  readonly sim: SimHost;
  readonly ch: SimChannel;
  /** The `socket` application's argument, as CHANNEL_EXECUTE shows it. */
  readonly socketAppData: string;
  /** The controller asked for an application (sendmsg execute). */
  /** `locked`: sendmsg with `event-lock: true` (nothing queued runs inside it). */
  enqueue(app: string, arg: string, eventUuid: string, locked?: boolean): void;
  /** The controller's socket went away. The `socket` app ends; the dialplan goes on. */
  detach(reason: 'refused' | 'socket-closed'): void;
  /** The controller sent `connect`: it has the channel's data from now on. */
  controllerConnected(): void;
}

/** Render an event for a subscriber in its format. */
export function renderEvent(format: 'plain' | 'json', headers: Header[], body = ''): string {
  return format === 'json' ? eventJson(headers, body) : eventPlain(headers, body);
}
