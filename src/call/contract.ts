/**
 * The small interface every PBX backend implements (Asterisk over ARI, FreeSWITCH over ESL).
 * The backend-neutral call session (src/call/session.ts) drives a call through it; no core
 * file imports a backend.
 */
import type { Device, FinalAction, Rule } from '../routing/plan.js';
import type { DeviceState } from '../routing/availability.js';
import type { CallRecord, LegResult } from './record.js';
import type { Config } from '../config/schema.js';
import type { ConfirmSpec } from '../config/confirm.js';

/** An inbound call as the PBX delivered it. Caller-supplied fields are untrusted text. */
export interface InboundCallInfo {
  /** The PBX's id of the caller's channel (Asterisk channel id, FreeSWITCH Unique-ID). */
  channelId: string;
  /** Raw caller ID number, untrusted; normalised by the session before any use. */
  rawCaller: string;
  /** Raw number called (Stasis arg / dialplan extension / Caller-Destination-Number), untrusted. */
  rawCalled: string;
  /** The PBX says the caller restricted presentation of the number (withheld, spec section 9). */
  presentationRestricted?: boolean;
}

/** One leg to originate. Endpoint and number come from validated config or the contact store only. */
export interface LegSpec {
  /** Stable key of this leg within the call, e.g. `s0.a0.l1`. */
  key: string;
  user: string | null;
  device: Device;
  rule: Rule;
  /** A SIP endpoint name (dialled through the `endpoints` template) ... */
  endpoint?: string;
  /** ... or an E.164 number (dialled through the default trunk template). */
  number?: string;
  /** The caller ID to present: an E.164 number, or null to withhold. */
  callerId: string | null;
  /**
   * The caller ID name (spec section 9: the number's label and the contact's name), made safe by
   * src/routing/label.ts; each backend escapes it for its own syntax. Desk and softphone legs only.
   */
  callerName?: string | null;
  /**
   * Section 8: this outside leg must press `key` within `seconds` of answering before it is
   * bridged. Until then the caller is not answered and hears ringing; the leg hears `prompt`
   * every 2 s. Another key, silence or a hang-up ends the leg `unconfirmed`. Absent: bridged on answer.
   */
  confirm?: ConfirmSpec;
}

/** A leg's result as the backend observed it. */
export interface LegOutcome {
  key: string;
  startedAt: string;
  result: LegResult;
  /** Q.850 cause, or null where the PBX gave none (e.g. ARI HTTP 500 on originate). */
  cause: number | null;
  answeredAt?: string;
  endedAt?: string;
  /** Why the leg failed without a PBX cause (e.g. the originate's HTTP error). */
  detail?: string;
}

/**
 * The result of ringing one attempt (a set of legs rung together for ringSeconds).
 * - answered: `answeredKey` is bridged with the caller, every other leg was hung up.
 * - unanswered: the ring time ran out or every leg failed at once.
 * - caller-gone: the caller hung up; every leg was hung up.
 * - failed: the PBX failed (every originate errored, or the connection was lost).
 */
export type AttemptOutcome =
  | { kind: 'answered'; answeredKey: string; legs: LegOutcome[] }
  | { kind: 'unanswered'; legs: LegOutcome[] }
  | { kind: 'caller-gone'; legs: LegOutcome[] }
  | { kind: 'failed'; legs: LegOutcome[]; reason: string };

/** How a bridged call ended. */
export interface BridgeEnd {
  by: 'caller' | 'callee' | 'transfer' | 'lost';
  /** For a transfer: where the answering phone sent the caller, as the PBX reported it. */
  transferTo?: string;
}

/** Control of one inbound call, handed by the backend to the session. */
export interface CallControl {
  readonly info: InboundCallInfo;
  /** True once the caller has hung up (or the channel is gone). */
  readonly callerGone: boolean;
  /** Tell the caller it is ringing (ARI ring / FreeSWITCH ring_ready), without answering. */
  indicateRinging(): Promise<void>;
  /**
   * Ring the legs together for ringSeconds; bridge the first answer (of a confirming leg: the first
   * that pressed its key, section 8); hang up the rest at once. A confirming leg that answered in
   * time keeps its `seconds` past the ring time: the attempt is over when no leg is ringing or
   * confirming.
   */
  ringAttempt(legs: LegSpec[], ringSeconds: number): Promise<AttemptOutcome>;
  /** After an answered attempt: resolves when the bridged call is over. */
  waitBridgeEnd(): Promise<BridgeEnd>;
  /** Send the caller to a voicemail box. Resolves once the PBX has taken the call over. */
  voicemail(mailbox: string): Promise<void>;
  /** Drop the caller. `no-route` maps to Q.850 3 on the PBX, `rejected` (a blocked caller) to 21. */
  hangup(reason: 'no-route' | 'normal' | 'rejected'): Promise<void>;
  /**
   * The backend's own ids for this call (channels, bridge), kept in the store to resume it; null
   * where the backend cannot resume a call (FreeSWITCH: the call's socket dies with the process).
   */
  snapshot(): unknown;
  /** Tag this call's backend log lines with the session's route step (`step`, `rule`). */
  setLogContext(bindings: Record<string, string>): void;
  /**
   * Release the backend's per-call resources (event routes). Called once the session is over: by
   * the backend for calls it delivered to `onCall`, by the controller for calls reconcile resumed.
   */
  dispose(): void;
}

/** Who answered a call: the user (null for a forwarding or company number) and the device. */
export type AnsweredBy = NonNullable<CallRecord['answeredBy']>;

/** What the session keeps in the store so a call survives a reconnect or a controller restart. */
export interface StoredCall {
  id: string;
  phase: 'ringing' | 'bridged' | 'final';
  final: FinalAction;
  /** CallControl.snapshot() at the last save. */
  pbx: unknown;
}

export interface ReconcileInput {
  /** Calls this controller process is handling right now (caller channel ids). */
  active: ReadonlySet<string>;
  /** Unfinished calls from the store (a previous run, or this one before a reconnect). */
  stored: ReadonlyMap<string, StoredCall>;
}

export interface ReconcileResult {
  /**
   * Stored calls whose caller is still on the PBX, handed back to be finished, with who answered
   * as the PBX's state shows it (the store may not have the answer yet: it is written behind).
   */
  resumed: { stored: StoredCall; control: CallControl; answeredBy: AnsweredBy | null }[];
  /** Stored calls whose caller channel is gone from the PBX. */
  gone: StoredCall[];
  /** Channels hung up and bridges destroyed because no call owned them. */
  cleaned: string[];
}

/** Where a backend reports device state (section 6): one endpoint at a time, or a whole snapshot. */
export interface DeviceSink {
  set(endpoint: string, state: DeviceState): void;
  /** Everything the PBX knows now (at start and after every reconnect); endpoints not in it become unknown. */
  seed(entries: Iterable<readonly [string, DeviceState]>): void;
}

export interface PbxBackend {
  readonly kind: 'asterisk' | 'freeswitch';
  /**
   * Connect and start delivering inbound calls to `onCall`. Resolves once connected.
   * `hooks.connected` runs after every (re)connect: the moment to reconcile; `hooks.disconnected`
   * when the connection is lost (the controller closes its calls if it stays lost: spec section 10).
   */
  start(onCall: (call: CallControl) => Promise<void>, hooks?: { connected?: () => void; disconnected?: () => void }): Promise<void>;
  /** A reloaded config for new calls (dial templates); calls in progress keep theirs. */
  updateConfig(config: Config): void;
  /** Compare what the PBX holds with what we track, adopt or clean up the difference. */
  reconcile?(input: ReconcileInput): Promise<ReconcileResult>;
  /**
   * Take no new calls; calls in progress go on (a drain before stop). A new call must then reach
   * the dialplan's fail-safe route: Asterisk continues it there, FreeSWITCH finds the listener
   * closed and its dialplan goes on after `socket`.
   */
  stopAccepting(): void;
  /** Stop taking calls and disconnect. */
  stop(): Promise<void>;
  isConnected(): boolean;
  /** Hand a call we will not finish to the dialplan's fail-safe route (drain deadline). */
  toFailsafe?(channelId: string): Promise<void>;
  /** Why the controller takes no calls for good although the PBX is there (ARI `ApplicationReplaced`), or null. */
  refusingReason?(): string | null;
  /** Why the PBX connection is down (null while up): shown by /healthz. */
  disconnectedReason?(): string | null;
  /**
   * Report SIP endpoints' states to `sink` from now on, from the PBX's own events (never awaited on
   * a call's path). Called before start().
   */
  watchDevices?(sink: DeviceSink): void;
}
