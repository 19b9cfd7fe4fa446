/** The scenario harness on FreeSWITCH: the ESL simulator, outbound + inbound ESL, the controller. */
import { EventEmitter } from 'node:events';
import { EslSimulator } from '../../src/sim/esl/simulator.js';
import { parseBridgeArg } from '../../src/sim/esl/dialstring.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { Controller } from '../../src/controller.js';
import { Store } from '../../src/store/index.js';
import { silentLogger, createLogger } from '../../src/log.js';
import type { CallRecord } from '../../src/call/record.js';
import type { DeviceBehaviour } from '../../src/sim/devices.js';
import type { FreeswitchBackend } from '../../src/backend/freeswitch/backend.js';
import type { DeviceRef, PlacedCall, ScenarioHarness } from './harness.js';
import { waitFor } from '../support/wait.js';

const PASSWORD = 'ClueCon';

export class FreeswitchHarness implements ScenarioHarness {
  readonly backend = 'freeswitch' as const;
  sim!: EslSimulator;
  controller!: Controller;
  private store!: Store;
  private readonly ended = new EventEmitter();

  async start(input: ConfigInput): Promise<void> {
    // The controller's listener port is known only once it listens: start the simulator first,
    // then point its `socket` application at the controller.
    this.sim = await EslSimulator.start({ eslPort: 0, password: PASSWORD, socketTarget: { host: '127.0.0.1', port: 1 } });
    const config = configSchema.parse({
      ...input,
      backend: 'freeswitch',
      freeswitch: { listen: '127.0.0.1:0', esl: { host: '127.0.0.1', port: this.sim.eslPort, password: PASSWORD } },
    });
    this.store = await Store.open(':memory:');
    this.controller = await Controller.start({
      loaded: { config, file: 'scenario.yaml', dir: '.', sqlitePath: ':memory:', warnings: [] },
      log: process.env.SCENARIO_LOG ? createLogger({ level: process.env.SCENARIO_LOG }) : silentLogger(),
      store: this.store,
      observer: { callEnded: (r) => this.ended.emit(r.id, r) },
    });
    this.sim.setSocketTarget({ host: '127.0.0.1', port: (this.controller.backend as FreeswitchBackend).listenPort });
  }

  async stop(): Promise<void> {
    await this.controller?.stop(1000);
    await this.store?.close();
    await this.sim?.stop();
  }

  setDevice(device: DeviceRef, b: DeviceBehaviour): void {
    this.sim.setDevice('endpoint' in device ? `user/${device.endpoint}` : `sofia/gateway/carrier/${device.number}`, b);
  }

  async addContact(phone: string, owner: string): Promise<void> {
    await this.store.contacts.upsertBatch([{ phone, name: `Contact ${phone}`, owner, fields: {} }]);
    await this.controller.refreshContacts();
  }

  async placeCall(call: { from: string; to: string; hangupAfterMs?: number }): Promise<PlacedCall> {
    const { uuid } = await this.sim.placeInboundCall(call);
    return { callId: uuid };
  }

  async hangupCaller(call: PlacedCall): Promise<void> {
    this.sim.hangup(call.callId);
  }

  async hangupAnswered(call: PlacedCall): Promise<void> {
    const other = this.sim.getChannel(call.callId)?.otherLeg;
    if (!other) throw new Error(`call ${call.callId} is not bridged`);
    this.sim.hangup(other.uuid);
  }

  async waitForRecord(call: PlacedCall, ms = 8000): Promise<CallRecord> {
    const done = await this.store.calls.get(call.callId);
    if (done?.outcome) return done;
    return new Promise<CallRecord>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`call ${call.callId} did not end within ${ms} ms`)), ms);
      this.ended.once(call.callId, (r: CallRecord) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  async waitForAnswer(call: PlacedCall, ms = 5000): Promise<void> {
    await waitFor(() => this.sim.getChannel(call.callId)?.otherLeg ?? null, ms, `call ${call.callId} bridged`);
  }

  live(): { channels: number; bridges: number } {
    const channels = this.sim.liveChannels();
    // FreeSWITCH has no bridge objects: a bridge is two channels pointing at each other.
    return { channels: channels.length, bridges: channels.filter((c) => c.otherLeg && c.direction === 'inbound').length };
  }

  voicemails(): string[] {
    return this.sim.voicemails().map((v) => v.mailbox);
  }

  dialed(): { dial: string; callerId: string }[] {
    return this.sim.dialStrings().flatMap((arg) =>
      parseBridgeArg(arg).groups.flat().map((leg) => ({ dial: leg.target, callerId: leg.vars.origination_caller_id_number ?? '' })),
    );
  }
}
