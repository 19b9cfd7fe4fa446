/** Shared types of the ARI simulator: the channel/bridge models and the device behaviours a test sets. */
import type { DeviceBehaviour, KeyPress } from '../devices.js';

export type { DeviceBehaviour } from '../devices.js';

/** Channel states Asterisk reports over ARI (the ones seen in the recordings). */
export type ChannelState = 'Down' | 'Ring' | 'Ringing' | 'Up' | 'Busy';

/** ARI `CallerID` model. */
export interface CallerId { name: string; number: string }

/** ARI `DialplanCEP` model. */
export interface DialplanCep { context: string; exten: string; priority: number; app_name: string; app_data: string }

/** ARI `Channel` model, exactly the fields Asterisk 22 sends. */
export interface ChannelJson {
  id: string;
  name: string;
  state: ChannelState;
  protocol_id: string;
  caller: CallerId;
  connected: CallerId;
  accountcode: string;
  dialplan: DialplanCep;
  creationtime: string;
  language: string;
}

/** ARI `Bridge` model. */
export interface BridgeJson {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime: string;
  video_mode: string;
}

/**
 * How the ARI simulator plays a device (one DeviceBehaviour type for both simulators, in
 * ../devices.ts): `answer` with `talkMs` is played as `hangup-after-answer`, which the control
 * API also takes. `afterMs` 0 (or absent for `answer`) answers without 180 Ringing first, like an
 * auto-answer phone.
 */
export type PlayedBehaviour =
  | Exclude<DeviceBehaviour, { kind: 'answer' }>
  | { kind: 'answer'; afterMs?: number; press?: KeyPress }
  | { kind: 'hangup-after-answer'; afterMs?: number; talkMs: number; press?: KeyPress };

/** Names of the dialplan contexts the simulator knows; all settable. */
export interface SimContexts {
  trunk: string;
  voicemail: string;
  /** The shipped dialplan's fail-safe route (company phone, then company mailbox). */
  failsafe: string;
  caller: string;
  sim: string;
}

/** Options of `AriSimulator.start`. */
export interface AriSimOptions {
  port?: number;
  host?: string;
  username: string;
  password: string;
  maxHttpSessions?: number;
  /** The Stasis app name of the trunk context (default `switchboard`). */
  app?: string;
  contexts?: Partial<SimContexts>;
  failsafe?: { companyPhone?: string; companyMailbox?: string; trunkEndpoint?: string; dialTimeoutMs?: number };
  voicemailMaxMs?: number;
  /** Stasis() arguments in the trunk context: none, the dialled extension, or fixed ones (the reference set-up used ["inbound"]). */
  /** Stasis() arguments of the trunk context; `shipped` (the default): as the shipped dialplan, the number and `callerpres=`. */
  stasisArgs?: 'none' | 'exten' | 'shipped' | string[];
  /** Multiplies the Wait() durations of the reference `sim` context (answer-after-5 ...), so tests run fast. */
  simTimeScale?: number;
  /** Default originate timeout in seconds when the request gives none (Asterisk: 30). */
  defaultOriginateTimeoutSec?: number;
}

/** A voicemail message the simulated VoiceMail() application recorded. */
export interface VoicemailEntry {
  mailbox: string;
  callerNumber: string;
  channelId: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
}

/** One fail-safe run: Stasis() failed because the app had no WebSocket. */
export interface FailsafeEntry {
  channelId: string;
  pstnChannelId?: string;
  callerNumber: string;
  exten: string;
  app: string;
  at: string;
  steps: string[];
  outcome: 'hangup' | 'answered' | 'voicemail' | 'pending';
}

/** An originate request exactly as received (so tests can prove what reached a dial string). */
export interface OriginateRecord { dial: string; callerId: string; at: string; app?: string; context?: string; extension?: string }

/** An ARI event as the simulator produced it, with the apps it went to. */
export interface SimEventRecord { app: string; delivered: boolean; event: Record<string, unknown> }
