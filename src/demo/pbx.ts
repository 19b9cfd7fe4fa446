/**
 * The simulated PBX behind the demo, one per backend: the embedded ARI simulator (Asterisk) or the
 * ESL simulator (FreeSWITCH), driven through the same simulator driver the scenario harnesses use
 * (src/sim/driver.ts). Each fills in the config keys its controller needs to reach it.
 */
import type { Config } from '../config/schema.js';
import type { PbxBackend } from '../call/contract.js';
import type { SimDriver } from '../sim/driver.js';

export interface DemoPbx {
  /** Point the config at this simulator. */
  configure(config: Config): Config;
  /** Called once the controller's backend is up (FreeSWITCH needs its listener port). */
  attach?(backend: PbxBackend): void;
  /** Phones, calls, what is live and the voicemails left. */
  driver: SimDriver;
  stop(): Promise<void>;
}

const USER = 'switchboard';
const PASSWORD = 'demo';

/** The embedded ARI simulator on a free 127.0.0.1 port. */
export async function startAsteriskDemoPbx(): Promise<DemoPbx> {
  const { AriSimulator } = await import('../sim/asterisk/index.js');
  const { asteriskDriver } = await import('../sim/asterisk/driver.js');
  const { asteriskSettings } = await import('../backend/asterisk/backend.js');
  const sim = await AriSimulator.start({ port: 0, username: USER, password: PASSWORD });
  return {
    configure: (config) => ({
      ...config,
      backend: 'asterisk',
      asterisk: { ...asteriskSettings(config), url: sim.url, username: USER, password: PASSWORD, app: 'switchboard' },
    }),
    driver: asteriskDriver(sim),
    stop: () => sim.stop(),
  };
}
