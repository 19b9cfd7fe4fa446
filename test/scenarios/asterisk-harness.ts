/** The scenario harness on Asterisk: the ARI simulator, the real ari-client, the controller. */
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import type { DeviceBehaviour } from '../../src/sim/devices.js';
import type { DeviceRef, PlacedCall, ScenarioHarness } from './harness.js';
import { ControllerHarness } from './controller-harness.js';
import { waitFor } from '../support/wait.js';

const USER = 'switchboard';
const PASSWORD = 'test-secret';

export class AsteriskHarness extends ControllerHarness implements ScenarioHarness {
  readonly backend = 'asterisk' as const;
  get voicemailMs(): number {
    return this.simOptions.voicemailMaxMs ?? 5000;
  }
  sim!: AriSimulator;
  private readonly pstn = new Map<string, string>();

  constructor(private readonly simOptions: Partial<Parameters<typeof AriSimulator.start>[0]> = {}) {
    super();
  }

  async start(input: ConfigInput): Promise<void> {
    this.sim = await AriSimulator.start({ port: 0, username: USER, password: PASSWORD, failsafe: { companyMailbox: '9000' }, ...this.simOptions });
    const config = configSchema.parse({
      ...input,
      asterisk: { url: this.sim.url, username: USER, password: PASSWORD, app: 'switchboard', requestTimeoutMs: 3000 },
    });
    await this.startController(config);
  }

  async stop(): Promise<void> {
    await this.stopController();
    await this.sim?.stop();
  }

  private dial(device: DeviceRef): string {
    return 'endpoint' in device ? `PJSIP/${device.endpoint}` : `PJSIP/${device.number}@carrier`;
  }

  setDevice(device: DeviceRef, b: DeviceBehaviour): void {
    this.sim.setDevice(this.dial(device), b); // the simulator reads `answer` + `talkMs` itself
  }


  async setRegistered(endpoint: string, on: boolean): Promise<void> {
    this.sim.setRegistered(endpoint, on);
    await waitFor(() => (this.controller.devices.get(endpoint) === 'unavailable') === !on, 2000, `${endpoint} ${on ? 'registered' : 'unregistered'} in the controller`);
  }

  async foreignCall(endpoint: string, on: boolean): Promise<void> {
    this.sim.foreignCall(endpoint, on);
    await waitFor(() => (this.controller.devices.get(endpoint) === 'in-use') === on, 2000, `${endpoint} ${on ? 'in use' : 'idle'} in the controller`);
  }

  async placeCall(call: { from: string; to: string; hangupAfterMs?: number }): Promise<PlacedCall> {
    const placed = await this.sim.placeInboundCall(call);
    this.pstn.set(placed.channelId, placed.pstnChannelId);
    return { callId: placed.channelId };
  }

  async hangupCaller(call: PlacedCall): Promise<void> {
    await this.sim.hangup(this.pstn.get(call.callId) ?? call.callId);
  }

  async hangupAnswered(call: PlacedCall): Promise<void> {
    const bridge = this.sim.bridges().find((b) => b.channels.includes(call.callId));
    const other = bridge?.channels.find((c) => c !== call.callId);
    if (!other) throw new Error(`call ${call.callId} is not bridged`);
    await this.sim.hangup(other);
  }


  async waitForAnswer(call: PlacedCall, ms = 5000): Promise<void> {
    await waitFor(async () => this.sim.bridges().some((b) => b.channels.includes(call.callId) && b.channels.length === 2), ms, `call ${call.callId} bridged`);
  }

  live(): { channels: number; bridges: number } {
    return { channels: this.sim.channels().length, bridges: this.sim.bridges().length };
  }

  failsafeCalls(): string[] {
    return this.sim.failsafeCalls().map((f) => f.channelId);
  }

  voicemails(): string[] {
    return this.sim.voicemails().map((v) => v.mailbox);
  }

  dialed(): { dial: string; callerId: string }[] {
    // Only the controller's originates: the simulated carrier's own Local channels are not ours.
    return this.sim.originates().filter((o) => !o.dial.startsWith('Local/')).map((o) => ({ dial: o.dial, callerId: o.callerId }));
  }
}
