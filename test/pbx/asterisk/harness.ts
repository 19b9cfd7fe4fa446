/**
 * The scenario harness on a real Asterisk: the same ScenarioHarness the simulators implement,
 * with the controller connected to a real Asterisk over ARI. Phones and outside numbers are Local
 * channels into the instance's test-device contexts (config.ts), whose behaviour is a global
 * variable set over ARI; the carrier is a Local channel into the shipped [from-trunk] context.
 */
import { randomUUID } from 'node:crypto';
import { configSchema, type ConfigInput } from '../../../src/config/schema.js';
import type { DeviceBehaviour } from '../../../src/sim/devices.js';
import type { DeviceRef, PlacedCall, ScenarioHarness } from '../../scenarios/harness.js';
import { ControllerHarness } from '../../scenarios/controller-harness.js';
import { waitFor } from '../../support/wait.js';
import { AsteriskInstance, type StartOptions } from './instance.js';
import { AriObserver } from './observer.js';
import type { AsteriskInstall } from '../support/locate.js';

/** The dial templates that make the controller ring the test devices. */
export const TEST_DEVICE_DIALS = {
  endpoints: { asterisk: 'Local/{endpoint}@sb-test-phones' },
  trunks: { default: { asterisk: 'Local/{number}@sb-test-carrier' } },
};

const secs = (ms: number | undefined): string => ((ms ?? 0) / 1000).toFixed(3);

/**
 * "<kind>-<seconds before>-<talk seconds>", read by [sb-test-device]; an answer that presses a key
 * adds "-<key>-<seconds after the answer>" (SendDTMF in the ;2 half reaches the ;1 half in Stasis).
 */
export function behaviourValue(b: DeviceBehaviour): string {
  switch (b.kind) {
    case 'answer':
      return `answer-${secs(b.afterMs)}-${b.talkMs ? secs(b.talkMs) : '0'}-${b.press ? `${b.press.key}-${secs(b.press.afterMs)}` : 'none-0'}`;
    case 'busy':
    case 'rejected':
    case 'congestion':
      return `${b.kind}-${secs(b.afterMs)}-0`;
    default:
      return `${b.kind}-0-0`;
  }
}

export function deviceVariable(d: DeviceRef): string {
  return 'endpoint' in d ? `SBPHONE_${d.endpoint}` : `SBNUM_${d.number.replace(/\D/g, '')}`;
}

export class RealAsteriskHarness extends ControllerHarness implements ScenarioHarness {
  readonly backend = 'asterisk' as const;
  inst!: AsteriskInstance;
  observer!: AriObserver;
  private pending: Promise<unknown>[] = [];
  private readonly pstn = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Where the controller reaches ARI, given the instance's URL (a test may put a proxy between). */
  controllerAriUrl: (url: string) => Promise<string> = async (url) => url;

  constructor(private readonly install: AsteriskInstall, private readonly startOptions: StartOptions = {}) {
    super();
  }

  async start(input: ConfigInput): Promise<void> {
    this.inst = await AsteriskInstance.start(this.install, this.startOptions);
    this.observer = await AriObserver.connect(this.inst);
    const config = configSchema.parse({
      ...TEST_DEVICE_DIALS,
      ...input,
      asterisk: { url: await this.controllerAriUrl(this.inst.ariUrl), username: this.inst.ariUser, password: this.inst.ariPassword, app: 'switchboard', requestTimeoutMs: 3000 },
    });
    await this.startController(config);
    // The controller's WebSocket is up: Stasis(switchboard) now reaches it.
    await waitFor(async () => (await this.inst.ari('GET', '/applications/switchboard')).status === 200, 10_000, 'Stasis app switchboard registered');
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    try {
      await this.stopController();
    } finally {
      this.observer?.close();
      await this.inst?.stop();
    }
  }

  async setRegistered(): Promise<void> {
    throw new Error('the phones of this harness are Local channels: registering needs real SIP phones');
  }

  async foreignCall(): Promise<void> {
    throw new Error('the phones of this harness are Local channels: a call outside Switchboard needs real SIP phones');
  }

  setDevice(device: DeviceRef, b: DeviceBehaviour): void {
    this.pending.push(this.inst.ari('POST', '/asterisk/variable', { variable: deviceVariable(device), value: behaviourValue(b) }).then((r) => {
      if (r.status !== 204) throw new Error(`setting ${deviceVariable(device)}: ARI ${r.status}`);
    }));
  }

  private async settle(): Promise<void> {
    const p = this.pending;
    this.pending = [];
    await Promise.all(p);
  }

  /** A call whose carrier restricted the caller's presentation: [sb-test-hidden] sets CALLERID(pres). */
  placeHiddenCall(call: { from: string; to: string }): Promise<PlacedCall> {
    return this.placeCall(call, 'sb-test-hidden');
  }

  async placeCall(call: { from: string; to: string; hangupAfterMs?: number }, context = 'from-trunk'): Promise<PlacedCall> {
    await this.settle();
    const callId = `sb-call-${randomUUID()}`;
    const pstnId = `sb-pstn-${randomUUID()}`;
    // As `switchboard simulate` does (src/simulate/ari.ts): the ;2 half enters [from-trunk].
    const res = await this.inst.ari('POST', '/channels', {
      endpoint: `Local/${call.to}@${context}`,
      context: 'sim-caller',
      extension: 'talk',
      priority: 1,
      channelId: pstnId,
      otherChannelId: callId,
      timeout: 120,
      ...(call.from !== '' ? { callerId: call.from } : {}),
    });
    if (res.status !== 200) throw new Error(`inbound originate: ARI ${res.status} ${JSON.stringify(res.body)}`);
    this.pstn.set(callId, pstnId);
    if (call.hangupAfterMs !== undefined) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        void this.inst.ari('DELETE', `/channels/${pstnId}`).catch(() => undefined);
      }, call.hangupAfterMs);
      this.timers.add(t);
    }
    return { callId };
  }

  async hangupCaller(call: PlacedCall): Promise<void> {
    const res = await this.inst.ari('DELETE', `/channels/${this.pstn.get(call.callId) ?? call.callId}`);
    if (res.status !== 204) throw new Error(`caller hangup: ARI ${res.status}`);
  }

  /** The answering phone hangs up: the ;2 half of the bridged test device (its dialplan side). */
  async hangupAnswered(call: PlacedCall): Promise<void> {
    const bridge = [...this.observer.bridges.values()].find((chs) => chs.includes(call.callId));
    const leg = bridge?.find((c) => c !== call.callId);
    const name = leg ? this.observer.channels.get(leg)?.name : undefined;
    if (!name) throw new Error(`call ${call.callId} is not bridged`);
    const far = [...this.observer.channels.entries()].find(([, c]) => c.name === name.replace(/;1$/, ';2'));
    const res = await this.inst.ari('DELETE', `/channels/${far?.[0] ?? leg}`);
    if (res.status !== 204) throw new Error(`callee hangup: ARI ${res.status}`);
  }

  async waitForAnswer(call: PlacedCall, ms = 8000): Promise<void> {
    await waitFor(() => [...this.observer.bridges.values()].some((chs) => chs.includes(call.callId) && chs.length === 2), ms, `call ${call.callId} bridged`);
  }

  override async waitForRecord(call: PlacedCall, ms = 15_000) {
    return super.waitForRecord(call, ms);
  }

  live(): { channels: number; bridges: number } {
    return { channels: this.observer.channels.size, bridges: this.observer.bridges.size };
  }

  voicemails(): string[] {
    return [...this.observer.mailboxes];
  }

  failsafeCalls(): string[] {
    return [...this.observer.failsafe];
  }

  dialed(): { dial: string; callerId: string }[] {
    return this.observer.dialed();
  }
}
