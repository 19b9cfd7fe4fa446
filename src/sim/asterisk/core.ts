/** What the dialplan, originate and route modules share: the PBX state plus settings and devices. */
import type { DeviceRegistry } from './endpoints.js';
import type { SimDeviceStates } from './device-state.js';
import type { SimPbx } from './pbx.js';
import type { SimContexts } from './types.js';

/** Resolved simulator settings. */
export interface SimSettings {
  /** The Stasis app the trunk context hands calls to. */
  app: string;
  contexts: SimContexts;
  failsafe: { companyPhone?: string; companyMailbox?: string; trunkEndpoint: string; dialTimeoutMs: number };
  voicemailMaxMs: number;
  stasisArgs: 'none' | 'exten' | 'shipped' | string[];
  simTimeScale: number;
  defaultOriginateTimeoutSec: number;
}

/** The simulator's shared state. */
export interface SimCore {
  pbx: SimPbx;
  devices: DeviceRegistry;
  /** Registration and device state of PJSIP endpoints (section 6). */
  deviceStates: SimDeviceStates;
  settings: SimSettings;
}
