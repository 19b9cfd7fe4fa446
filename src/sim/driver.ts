/**
 * One way to drive either simulator, whichever PBX it imitates: set how phones behave, place an
 * inbound call, see what is live, list the voicemails left. The demo (src/demo) and the scenario
 * harnesses (test/scenarios) drive the simulators through this alone, so what one counts the other
 * counts the same way.
 */
import type { DeviceBehaviour } from './devices.js';

/** A phone by what the config calls it: a user's endpoint, or an outside number (mobile, forward). */
export type DeviceRef = { endpoint: string } | { number: string };

export interface InboundSimCall {
  from: string;
  to: string;
  callerName?: string;
  hangupAfterMs?: number;
}

export interface SimDriver {
  setDevice(device: DeviceRef, behaviour: DeviceBehaviour): void;
  /** `callId`: the channel the controller gets; `pstnId`: the caller's side (the same on FreeSWITCH). */
  placeCall(call: InboundSimCall): Promise<{ callId: string; pstnId: string }>;
  hangup(channelId: string): Promise<void>;
  /** Channels up, and bridges between two of them. */
  live(): { channels: number; bridges: number };
  /** Mailboxes that took a message, oldest first. */
  voicemails(): string[];
}
