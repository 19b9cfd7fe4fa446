/** The scenario harness on Asterisk: the ARI simulator, the real ari-client, the controller. */
import { EventEmitter } from 'node:events';
import { AriSimulator } from '../../src/sim/ari/index.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { Controller } from '../../src/controller.js';
import { Store } from '../../src/store/index.js';
import { silentLogger, createLogger } from '../../src/log.js';
import type { CallRecord } from '../../src/call/record.js';
import type { DeviceBehaviour } from '../../src/sim/devices.js';
import type { DeviceRef, PlacedCall, ScenarioHarness } from './harness.js';
import { waitFor } from '../support/wait.js';

const USER = 'switchboard';
const PASSWORD = 'test-secret';

export class AsteriskHarness implements ScenarioHarness {
  readonly backend = 'asterisk' as const;
  sim!: AriSimulator;
  controller!: Controller;
  private store!: Store;
  private readonly ended = new EventEmitter();
  private readonly pstn = new Map<string, string>();

  constructor(private readonly simOptions: Partial<Parameters<typeof AriSimulator.start>[0]> = {}) {}

  async start(input: ConfigInput): Promise<void> {
    this.sim = await AriSimulator.start({ port: 0, username: USER, password: PASSWORD, ...this.simOptions });
    const config = configSchema.parse({
      ...input,
      asterisk: { url: this.sim.url, username: USER, password: PASSWORD, app: 'switchboard', requestTimeoutMs: 3000 },
    });
    this.store = await Store.open(':memory:');
    this.controller = await Controller.start({
      loaded: { config, file: 'scenario.yaml', dir: '.', sqlitePath: ':memory:', warnings: [] },
      log: process.env.SCENARIO_LOG ? createLogger({ level: process.env.SCENARIO_LOG }) : silentLogger(),
      store: this.store,
      observer: { callEnded: (r) => this.ended.emit(r.id, r) },
    });
  }

  async stop(): Promise<void> {
    await this.controller?.stop(1000);
    await this.store?.close();
    await this.sim?.stop();
  }

  private dial(device: DeviceRef): string {
    return 'endpoint' in device ? `PJSIP/${device.endpoint}` : `PJSIP/${device.number}@carrier`;
  }

  setDevice(device: DeviceRef, b: DeviceBehaviour): void {
    this.sim.setDevice(this.dial(device), b.kind === 'answer' && b.talkMs !== undefined ? { kind: 'hangup-after-answer', afterMs: b.afterMs, talkMs: b.talkMs } : b);
  }

  async addContact(phone: string, owner: string): Promise<void> {
    await this.store.contacts.upsertBatch([{ phone, name: `Contact ${phone}`, owner, fields: {} }]);
    await this.controller.refreshContacts();
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
    await waitFor(async () => this.sim.bridges().some((b) => b.channels.includes(call.callId) && b.channels.length === 2), ms, `call ${call.callId} bridged`);
  }

  live(): { channels: number; bridges: number } {
    return { channels: this.sim.channels().length, bridges: this.sim.bridges().length };
  }

  voicemails(): string[] {
    return this.sim.voicemails().map((v) => v.mailbox);
  }

  dialed(): { dial: string; callerId: string }[] {
    // Only the controller's originates: the simulated carrier's own Local channels are not ours.
    return this.sim.originates().filter((o) => !o.dial.startsWith('Local/')).map((o) => ({ dial: o.dial, callerId: o.callerId }));
  }
}
