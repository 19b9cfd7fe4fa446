/** The ESL simulator behind the shared simulator driver (src/sim/driver.ts). */
import type { DeviceRef, SimDriver } from '../driver.js';
import type { EslSimulator } from './simulator.js';

/** The dial string the controller bridges to for a device with the default templates. */
export function freeswitchDial(device: DeviceRef): string {
  return 'endpoint' in device ? `user/${device.endpoint}` : `sofia/gateway/carrier/${device.number}`;
}

export function freeswitchDriver(sim: EslSimulator): SimDriver {
  return {
    setDevice: (device, b) => sim.setDevice(freeswitchDial(device), b),
    placeCall: async (call) => {
      const { uuid } = await sim.placeInboundCall(call);
      return { callId: uuid, pstnId: uuid };
    },
    hangup: async (uuid) => void sim.hangup(uuid),
    live: () => {
      const channels = sim.liveChannels();
      // FreeSWITCH has no bridge objects: a bridge is two channels pointing at each other.
      return { channels: channels.length, bridges: channels.filter((c) => c.otherLeg && c.direction === 'inbound').length };
    },
    voicemails: () => sim.voicemails().map((v) => v.mailbox),
  };
}
