/** The scenario harness on FreeSWITCH: the ESL simulator, outbound + inbound ESL, the controller. */
import { EslSimulator, type EslSimulatorOptions } from '../../src/sim/freeswitch/simulator.js';
import { parseBridgeArg } from '../../src/sim/freeswitch/dialstring.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import type { DeviceBehaviour } from '../../src/sim/devices.js';
import type { FreeswitchBackend } from '../../src/backend/freeswitch/backend.js';
import type { DeviceRef, PlacedCall, ScenarioHarness } from './harness.js';
import { ControllerHarness } from './controller-harness.js';
import { waitFor } from '../support/wait.js';
import { q850Of } from '../../src/esl/causes.js';
import { configuredEndpoints } from '../../src/routing/users.js';
import { freeswitchDriver } from '../../src/sim/freeswitch/driver.js';
import type { SimDriver } from '../../src/sim/driver.js';

const PASSWORD = 'ClueCon';

export class FreeswitchHarness extends ControllerHarness implements ScenarioHarness {
  readonly backend = 'freeswitch' as const;
  /** `voicemailMs`: how long a simulated voicemail records before it returns. */
  constructor(readonly voicemailMs = 1500, private readonly simOptions: Partial<EslSimulatorOptions> = {}) {
    super();
  }
  sim!: EslSimulator;
  /** The driver of the simulator in use now (a chaos test may replace `sim` with a new one). */
  private get driver(): SimDriver {
    return this.driverOf(this.sim, freeswitchDriver);
  }
  private readonly causes = new Map<string, number>();

  async start(input: ConfigInput): Promise<void> {
    // The controller's listener port is known only once it listens: start the simulator first,
    // then point its `socket` application at the controller.
    this.sim = await EslSimulator.start({ eslPort: 0, password: PASSWORD, socketTarget: { host: '127.0.0.1', port: 1 }, failsafe: { companyMailbox: '9000' }, voicemailMaxMs: this.voicemailMs, ...this.simOptions });
    const config = configSchema.parse({
      ...input,
      backend: 'freeswitch',
      freeswitch: { listen: '127.0.0.1:0', esl: { host: '127.0.0.1', port: this.sim.eslPort, password: PASSWORD } },
    });
    // Every phone of the config is in the directory and registered, as on a switch where all are plugged in.
    this.sim.registrations.setDirectory(configuredEndpoints(config));
    await this.startController(config);
  }

  protected override attach(): void {
    this.sim.setSocketTarget({ host: '127.0.0.1', port: (this.controller.backend as FreeswitchBackend).listenPort });
    this.sim.events.on('event', (e: { name: string; uuid: string; headers: Record<string, string> }) => {
      if (e.name === 'CHANNEL_HANGUP' && e.headers['Hangup-Cause']) this.causes.set(e.uuid, q850Of(e.headers['Hangup-Cause']));
    });
  }

  /** The Q.850 cause the caller's channel was hung up with (waiting for it, with a deadline). */
  async callerCause(call: PlacedCall): Promise<number> {
    return waitFor(() => this.causes.get(call.callId), 3000, `caller channel ${call.callId} hung up`);
  }

  /** The caller ID name of every leg the controller bridged to, as FreeSWITCH reads the bridge argument. */
  dialedNames(): { dial: string; callerName: string }[] {
    return this.sim.dialStrings().flatMap((arg) => parseBridgeArg(arg).groups.flat().map((leg) => ({ dial: leg.target, callerName: leg.vars.origination_caller_id_name ?? '' })));
  }

  /** A call from a caller who hid the number (Caller-Privacy-Hide-Number: true). */
  async placeHiddenCall(call: { from: string; to: string }): Promise<PlacedCall> {
    const { uuid } = await this.sim.placeInboundCall({ ...call, hideNumber: true });
    return { callId: uuid };
  }

  async setRegistered(endpoint: string, on: boolean): Promise<void> {
    this.sim.setRegistered(endpoint, on);
    await this.deviceSeen(endpoint, 'unavailable', !on);
  }

  async foreignCall(endpoint: string, on: boolean): Promise<void> {
    this.sim.foreignCall(endpoint, on);
    await this.deviceSeen(endpoint, 'in-use', on);
  }

  failsafeCalls(): string[] {
    return this.sim.failsafeCalls().map((f) => f.uuid);
  }

  async stop(): Promise<void> {
    await this.stopController();
    await this.sim?.stop();
  }

  setDevice(device: DeviceRef, b: DeviceBehaviour): void {
    this.driver.setDevice(device, b);
  }


  async placeCall(call: { from: string; to: string; hangupAfterMs?: number }): Promise<PlacedCall> {
    const { callId } = await this.driver.placeCall(call);
    return { callId };
  }

  async hangupCaller(call: PlacedCall): Promise<void> {
    await this.driver.hangup(call.callId);
  }

  async hangupAnswered(call: PlacedCall): Promise<void> {
    const other = this.sim.getChannel(call.callId)?.otherLeg;
    if (!other) throw new Error(`call ${call.callId} is not bridged`);
    this.sim.hangup(other.uuid);
  }


  async waitForAnswer(call: PlacedCall, ms = 5000): Promise<void> {
    await waitFor(() => this.sim.getChannel(call.callId)?.otherLeg ?? null, ms, `call ${call.callId} bridged`);
    await this.controllerAnswered(call, ms);
  }

  live(): { channels: number; bridges: number } {
    return this.driver.live();
  }

  voicemails(): string[] {
    return this.driver.voicemails();
  }

  messages(): { mailbox: string; seconds: number }[] {
    return this.sim.voicemails().flatMap((v) => (v.messageSeconds === null ? [] : [{ mailbox: v.mailbox, seconds: v.messageSeconds }]));
  }

  dialed(): { dial: string; callerId: string }[] {
    return this.sim.dialStrings().flatMap((arg) =>
      parseBridgeArg(arg).groups.flat().map((leg) => ({ dial: leg.target, callerId: leg.vars.origination_caller_id_number ?? '' })),
    );
  }
}
