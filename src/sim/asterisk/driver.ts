/** The ARI simulator behind the shared simulator driver (src/sim/driver.ts). */
import type { DeviceRef, SimDriver } from '../driver.js';
import type { AriSimulator } from './index.js';

/** The dial string the controller originates for a device with the default templates. */
export function asteriskDial(device: DeviceRef): string {
  return 'endpoint' in device ? `PJSIP/${device.endpoint}` : `PJSIP/${device.number}@carrier`;
}

export function asteriskDriver(sim: AriSimulator): SimDriver {
  return {
    setDevice: (device, b) => sim.setDevice(asteriskDial(device), b),
    placeCall: async (call) => {
      const placed = await sim.placeInboundCall(call);
      return { callId: placed.channelId, pstnId: placed.pstnChannelId };
    },
    hangup: (channelId) => sim.hangup(channelId),
    live: () => ({ channels: sim.channels().length, bridges: sim.bridges().length }),
    voicemails: () => sim.voicemails().map((v) => v.mailbox),
  };
}
