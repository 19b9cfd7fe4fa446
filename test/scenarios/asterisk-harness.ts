/** The scenario harness on Asterisk: the ARI simulator, the real ari-client, the controller. */
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import type { DeviceBehaviour } from '../../src/sim/devices.js';
import type { DeviceRef, PlacedCall, ScenarioHarness } from './harness.js';
import { ControllerHarness } from './controller-harness.js';
import { parseCallerId } from '../../src/sim/asterisk/channels.js';
import { waitFor } from '../support/wait.js';
import { asteriskDriver } from '../../src/sim/asterisk/driver.js';
import type { SimDriver } from '../../src/sim/driver.js';

const USER = 'switchboard';
const PASSWORD = 'test-secret';

export class AsteriskHarness extends ControllerHarness implements ScenarioHarness {
  readonly backend = 'asterisk' as const;
  get voicemailMs(): number {
    return this.simOptions.voicemailMaxMs ?? 5000;
  }
  sim!: AriSimulator;
  /** The driver of the simulator in use now (a chaos test may replace `sim` with a new one). */
  private get driver(): SimDriver {
    return this.driverOf(this.sim, asteriskDriver);
  }
  private readonly pstn = new Map<string, string>();
  private readonly causes = new Map<string, number>();

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
    this.sim.events.on('channel-destroyed', (r: { event: { channel?: { id: string }; cause?: number } }) => {
      if (r.event.channel) this.causes.set(r.event.channel.id, r.event.cause ?? -1);
    });
  }

  /** The Q.850 cause the caller's channel was hung up with (waiting for it, with a deadline). */
  async callerCause(call: PlacedCall): Promise<number> {
    return waitFor(() => this.causes.get(call.callId), 3000, `caller channel ${call.callId} destroyed`);
  }

  /** The caller ID name of every leg the controller originated, as Asterisk parses `callerId`. */
  dialedNames(): { dial: string; callerName: string }[] {
    return this.dialed().map((d) => ({ dial: d.dial, callerName: parseCallerId(d.callerId).name }));
  }

  async stop(): Promise<void> {
    await this.stopController();
    await this.sim?.stop();
  }

  setDevice(device: DeviceRef, b: DeviceBehaviour): void {
    this.driver.setDevice(device, b); // the simulator reads `answer` + `talkMs` itself
  }

  async setRegistered(endpoint: string, on: boolean): Promise<void> {
    this.sim.setRegistered(endpoint, on);
    await this.deviceSeen(endpoint, 'unavailable', !on);
  }

  async foreignCall(endpoint: string, on: boolean): Promise<void> {
    this.sim.foreignCall(endpoint, on);
    await this.deviceSeen(endpoint, 'in-use', on);
  }

  async placeCall(call: { from: string; to: string; hangupAfterMs?: number }): Promise<PlacedCall> {
    const { callId, pstnId } = await this.driver.placeCall(call);
    this.pstn.set(callId, pstnId);
    return { callId };
  }

  /** A call whose carrier restricted the caller's presentation (CALLERID(pres) = prohib). */
  async placeHiddenCall(call: { from: string; to: string }): Promise<PlacedCall> {
    const placed = await this.sim.placeInboundCall({ ...call, presentation: 'prohib_passed_screen' });
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

  async transferAnswered(call: PlacedCall): Promise<{ to: string }> {
    const phone = this.sim.bridges().find((b) => b.channels.includes(call.callId))?.channels.find((c) => c !== call.callId);
    if (!phone) throw new Error(`call ${call.callId} is not bridged`);
    await this.sim.transfer(phone, { kind: 'blind', exten: 'answer', context: 'sim' });
    await waitFor(() => !this.sim.channels().some((c) => c.id === phone), 3000, 'the phone left');
    await waitFor(() => this.sim.bridges().some((b) => b.channels.includes(call.callId) && !b.channels.includes(phone) && b.channels.length === 2), 3000, 'caller bridged to the target');
    return { to: 'answer@sim' };
  }

  live(): { channels: number; bridges: number } {
    return this.driver.live();
  }

  failsafeCalls(): string[] {
    return this.sim.failsafeCalls().map((f) => f.channelId);
  }

  voicemails(): string[] {
    return this.driver.voicemails();
  }

  dialed(): { dial: string; callerId: string }[] {
    // Only the controller's originates: the simulated carrier's own Local channels are not ours.
    return this.sim.originates().filter((o) => !o.dial.startsWith('Local/')).map((o) => ({ dial: o.dial, callerId: o.callerId }));
  }
}
