/**
 * The backend-neutral scenario harness: one PBX simulator plus the controller, driven the same way
 * whichever PBX is underneath, so one scenario suite runs against every backend.
 */
import type { CallRecord } from '../../src/call/record.js';
import type { ConfigInput } from '../../src/config/schema.js';
import type { DeviceBehaviour } from '../../src/sim/devices.js';

/** A device as the config names it: a SIP endpoint or a number dialled through the trunk. */
export type { DeviceRef } from '../../src/sim/driver.js';
import type { DeviceRef } from '../../src/sim/driver.js';

export interface PlacedCall {
  /** The call-log id (the inbound channel's id on the PBX). */
  callId: string;
}

export interface ScenarioHarness {
  readonly backend: 'asterisk' | 'freeswitch';
  /**
   * How long a voicemail runs before it ends by itself (the message length limit), in ms; absent
   * where that is too long to wait for (a real Asterisk: maxsecs 180), which then skips the test.
   */
  readonly voicemailMs?: number;
  /** Start the simulator and a controller running `config` (PBX connection keys are filled in). */
  start(config: ConfigInput): Promise<void>;
  stop(): Promise<void>;
  /** How a device behaves when it is rung. Devices with no behaviour set are unreachable. */
  setDevice(device: DeviceRef, behaviour: DeviceBehaviour): void;
  addContact(phone: string, owner: string): Promise<void>;
  /** A desk phone registers or unregisters; resolves once the controller's device state says so. */
  setRegistered(endpoint: string, on: boolean): Promise<void>;
  /** The phone starts or ends a call Switchboard never placed; resolves once the controller sees it. */
  foreignCall(endpoint: string, on: boolean): Promise<void>;
  /** `switchboard dnd USER on|off` as the store sees it; resolves once the running controller has it. */
  setDnd(user: string, on: boolean): Promise<void>;
  /** A carrier delivers a call; `hangupAfterMs`: the caller hangs up that long after it arrives. */
  placeCall(call: { from: string; to: string; hangupAfterMs?: number }): Promise<PlacedCall>;
  /** The caller hangs up now. */
  hangupCaller(call: PlacedCall): Promise<void>;
  /** The answering device hangs up now. */
  hangupAnswered(call: PlacedCall): Promise<void>;
  /** The finished call-log row, waiting (with a deadline) for the call to end. */
  waitForRecord(call: PlacedCall, ms?: number): Promise<CallRecord>;
  /** Wait until the call has been answered and bridged (the FreeSWITCH harnesses: and the controller has taken the answer in). */
  waitForAnswer(call: PlacedCall, ms?: number): Promise<void>;
  /**
   * The answering phone blind-transfers the caller to a target that answers at once; resolves when
   * the target has taken the phone's place. Returns where to, as the call log will name it.
   */
  transferAnswered?(call: PlacedCall): Promise<{ to: string }>;
  /** Channels and bridges still alive on the PBX (leak check). */
  live(): { channels: number; bridges: number };
  /** Mailboxes that received a voicemail call, in order. */
  voicemails(): string[];
  /** Messages stored so far (mailbox, seconds), where the PBX keeps them (the FreeSWITCH harnesses). */
  messages?(): { mailbox: string; seconds: number }[];
  /**
   * Stop the controller as SIGTERM does (`controller.stop(drainMs)`): it stops taking calls at
   * once; the promise resolves when it has stopped. `restart()` then starts a fresh one.
   */
  drain(drainMs: number): Promise<{ drained: boolean }>;
  /** Start a new controller on the same PBX and store (after a drain). */
  restart(): Promise<void>;
  /** Calls that took the dialplan's fail-safe route (no controller took them), by call id. */
  failsafeCalls(): string[];
  /** Every dial string the controller asked the PBX for, and every caller ID it presented. */
  dialed(): { dial: string; callerId: string }[];
}
