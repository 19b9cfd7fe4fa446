/** The demo on FreeSWITCH: the embedded ESL simulator, connecting out to the controller's listener. */
import type { FreeswitchBackend } from '../backend/freeswitch/backend.js';
import type { DemoPbx } from './pbx.js';
import { configuredEndpoints } from '../routing/users.js';

const PASSWORD = 'ClueCon';

/** Start the ESL simulator; the controller's socket port is wired in by `attach` once it listens. */
export async function startFreeswitchDemoPbx(): Promise<DemoPbx> {
  const { EslSimulator } = await import('../sim/freeswitch/simulator.js');
  const { freeswitchDriver } = await import('../sim/freeswitch/driver.js');
  const sim = await EslSimulator.start({ eslPort: 0, password: PASSWORD, socketTarget: { host: '127.0.0.1', port: 1 } });
  return {
    configure: (config) => {
      // Every phone of the demo config is in the simulated directory, registered.
      sim.registrations.setDirectory(configuredEndpoints(config));
      return {
        ...config,
        backend: 'freeswitch',
        freeswitch: { listen: '127.0.0.1:0', esl: { host: '127.0.0.1', port: sim.eslPort, password: PASSWORD } },
      };
    },
    attach: (backend) => sim.setSocketTarget({ host: '127.0.0.1', port: (backend as FreeswitchBackend).listenPort }),
    driver: freeswitchDriver(sim),
    stop: () => sim.stop(),
  };
}
