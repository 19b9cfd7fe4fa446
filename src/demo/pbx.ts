/**
 * The simulated PBX behind the demo, one per backend: the embedded ARI simulator (Asterisk) or the
 * ESL simulator (FreeSWITCH). Each fills in the config keys its controller needs to reach it.
 */
import type { Config } from '../config/schema.js';
import type { PbxBackend } from '../call/contract.js';
import type { DeviceBehaviour } from '../sim/devices.js';
import type { DemoDevice } from './script.js';

export interface DemoPbx {
  /** Point the config at this simulator. */
  configure(config: Config): Config;
  /** Called once the controller's backend is up (FreeSWITCH needs its listener port). */
  attach?(backend: PbxBackend): void;
  setDevice(device: DemoDevice, behaviour: DeviceBehaviour): void;
  placeCall(call: { from: string; to: string; hangupAfterMs: number }): Promise<{ callId: string }>;
  live(): { channels: number; bridges: number };
  voicemails(): string[];
  stop(): Promise<void>;
}

const USER = 'switchboard';
const PASSWORD = 'demo';

/** The embedded ARI simulator on a free 127.0.0.1 port. */
export async function startAsteriskDemoPbx(): Promise<DemoPbx> {
  const { AriSimulator } = await import('../sim/asterisk/index.js');
  const { asteriskSettings } = await import('../backend/asterisk/backend.js');
  const sim = await AriSimulator.start({ port: 0, username: USER, password: PASSWORD });
  return {
    configure: (config) => ({
      ...config,
      backend: 'asterisk',
      asterisk: { ...asteriskSettings(config), url: sim.url, username: USER, password: PASSWORD, app: 'switchboard' },
    }),
    setDevice: (d, b) => sim.setDevice('endpoint' in d ? `PJSIP/${d.endpoint}` : `PJSIP/${d.number}@carrier`, b),
    placeCall: async (c) => ({ callId: (await sim.placeInboundCall(c)).channelId }),
    live: () => ({ channels: sim.channels().length, bridges: sim.bridges().length }),
    voicemails: () => sim.voicemails().map((v: { mailbox: string }) => v.mailbox),
    stop: () => sim.stop(),
  };
}
