/**
 * The scenario harness on a REAL FreeSWITCH: the controller behind the shipped dialplan, a test
 * "carrier" on inbound ESL that starts each call as a loopback channel into the `public` context
 * (as the recordings did) and watches every channel, and loopback phones in a `phones` context
 * whose behaviour is a mod_hash entry the test sets.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { configSchema, type ConfigInput } from '../../../src/config/schema.js';
import type { DeviceBehaviour } from '../../../src/sim/devices.js';
import { parseBridgeArg } from '../../../src/sim/freeswitch/dialstring.js';
import type { EslEvent } from '../../../src/esl/protocol.js';
import type { DeviceRef, PlacedCall, ScenarioHarness } from '../../scenarios/harness.js';
import { ControllerHarness } from '../../scenarios/controller-harness.js';
import { waitFor } from '../../support/wait.js';
import { FreeswitchInstance, freePort } from './instance.js';
import type { EslClient } from './esl-client.js';
import type { FreeswitchInstall } from './locate.js';
import { PHONES_XML, behaviourSpec } from './phones.js';
import { wavSeconds } from './prompts.js';
import { EslTap } from './tap.js';

const WATCHED = [
  'CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY', 'BACKGROUND_JOB',
  // Keys pressed on a confirming leg (press-1 confirmation).
  'DTMF',
  // Registrations (the SIP phones): CUSTOM must come last, its subclasses after it.
  'CUSTOM', 'sofia::register', 'sofia::unregister', 'sofia::expire',
];
/** The caller plays a tone (a minute) so that voicemail records sound, not silence. */
const CALLER_APP = '&playback(tone_stream://%(60000,0,440))';

/** What the carrier saw on the whole switch. */
export class SwitchView {
  readonly live = new Set<string>();
  readonly bridged = new Map<string, string>();
  readonly vm: { uuid: string; mailbox: string }[] = [];
  /** Bridge arguments the controller sent (not the fail-safe's). */
  readonly bridges: string[] = [];
  /** Controlled legs that reached the shipped dialplan's fail-safe (its `log` action). */
  readonly failsafe = new Set<string>();
  readonly executed: { uuid: string; app: string; data: string }[] = [];
  /** Caller (a-leg) uuid -> the controlled (b-leg) uuid, from `socket` starting on the b-leg. */
  readonly controlled = new Map<string, string>();
  readonly events: EslEvent[] = [];
  /** Every controlled leg, in order, with the number it called. */
  readonly sockets: { uuid: string; to: string }[] = [];
  /** sofia::register events: the users that registered. */
  readonly registered: string[] = [];

  on(ev: EslEvent): void {
    const h = ev.headers;
    const uuid = h['Unique-ID'] ?? '';
    this.events.push(ev);
    switch (ev.name) {
      case 'CUSTOM':
        if (h['Event-Subclass'] === 'sofia::register' && h.username) this.registered.push(h.username);
        break;
      case 'CHANNEL_CREATE':
        this.live.add(uuid);
        break;
      case 'CHANNEL_DESTROY':
        this.live.delete(uuid);
        this.bridged.delete(uuid);
        break;
      case 'CHANNEL_BRIDGE': {
        const other = h['Other-Leg-Unique-ID'];
        if (other) {
          this.bridged.set(uuid, other);
          this.bridged.set(other, uuid);
        }
        break;
      }
      case 'CHANNEL_UNBRIDGE':
      case 'CHANNEL_HANGUP': {
        const other = this.bridged.get(uuid);
        this.bridged.delete(uuid);
        if (other) this.bridged.delete(other);
        break;
      }
      case 'CHANNEL_EXECUTE': {
        const app = h.Application ?? '';
        const data = h['Application-Data'] ?? '';
        this.executed.push({ uuid, app, data });
        if (app === 'socket' && h.variable_other_loopback_leg_uuid) this.controlled.set(h.variable_other_loopback_leg_uuid, uuid);
        if (app === 'socket') this.sockets.push({ uuid, to: h['Caller-Destination-Number'] ?? '' });
        if (app === 'voicemail') this.vm.push({ uuid, mailbox: data.trim().split(/\s+/).pop() ?? '' });
        if (app === 'log' && data.includes('switchboard fail-safe reached')) this.failsafe.add(uuid);
        // Only what the controller dialled: the fail-safe's own bridge is the dialplan's.
        if (app === 'bridge' && !this.failsafe.has(uuid)) this.bridges.push(data);
        break;
      }
    }
  }
}

export class RealFreeswitchHarness extends ControllerHarness implements ScenarioHarness {
  readonly backend = 'freeswitch' as const;
  /** max-record-len 4 s plus the placeholder prompts and the goodbye. */
  readonly voicemailMs = 10_000;
  fs!: FreeswitchInstance;
  carrier!: EslClient;
  readonly view = new SwitchView();
  private readonly callers = new Map<string, string>();

  /** Every frame between FreeSWITCH's `socket` and the controller (the controlled legs). */
  readonly tap: EslTap;
  private controllerPort = 0;

  /**
   * `phones: 'loopback'` dials loopback targets in the `phones` context (behaviour from setDevice);
   * `'sip'` keeps the default `user/{endpoint}` (registered SIP phones) and adds `extraFiles`.
   */
  constructor(
    private readonly install: FreeswitchInstall,
    private readonly opts: { phones?: 'loopback' | 'sip'; extraFiles?: Record<string, string>; tap?: boolean; multipleRegistrations?: boolean } = {},
  ) {
    super();
    this.tap = new EslTap(() => this.controllerPort);
  }

  /** Loopback phones never register: test/pbx/freeswitch/devices.test.ts drives real SIP phones instead. */
  async setRegistered(): Promise<void> {
    throw new Error('loopback phones have no registration (see test/pbx/freeswitch/devices.test.ts)');
  }

  async foreignCall(): Promise<void> {
    throw new Error('loopback phones have no device state (see test/pbx/freeswitch/devices.test.ts)');
  }

  async start(input: ConfigInput): Promise<void> {
    this.controllerPort = await freePort();
    // With `tap`, the dialplan's `socket` connects to the tap, which relays to the controller and
    // records. Not by default: a relay cannot refuse a connection the way a stopped controller
    // does (FreeSWITCH 1.10.12 left a call whose socket was accepted and closed before `connect`
    // parked: "Socket Error!", no fail-safe), so drain and fail-safe scenarios need the real thing.
    const socketPort = this.opts.tap ? await this.tap.start() : this.controllerPort;
    const loopback = (this.opts.phones ?? 'loopback') === 'loopback';
    this.fs = await FreeswitchInstance.start(this.install, {
      socketPort,
      extraUsers: [String(input.company?.voicemail ?? '9000')],
      extraFiles: { ...(loopback ? { 'dialplan/phones.xml': PHONES_XML } : {}), ...this.opts.extraFiles },
      multipleRegistrations: this.opts.multipleRegistrations,
    });
    this.carrier = await this.fs.esl();
    this.carrier.on('event', (ev: EslEvent) => this.view.on(ev));
    await this.carrier.subscribe(WATCHED);
    const config = configSchema.parse({
      ...input,
      backend: 'freeswitch',
      ...(loopback ? { endpoints: { freeswitch: 'loopback/{endpoint}/phones' }, trunks: { default: { freeswitch: 'loopback/{number}/phones' } } } : {}),
      freeswitch: { listen: `127.0.0.1:${this.controllerPort}`, esl: { host: '127.0.0.1', port: this.fs.eslPort, password: this.fs.eslPassword } },
    });
    await this.startController(config);
    await waitFor(() => this.controller.backend.isConnected(), 10_000, 'controller connected to FreeSWITCH');
  }

  async stop(): Promise<void> {
    await this.stopController();
    this.carrier?.close();
    if (this.opts.tap) await this.tap.stop();
    await this.fs?.stop();
  }

  setDevice(device: DeviceRef, b: DeviceBehaviour): void {
    const key = 'endpoint' in device ? device.endpoint : device.number;
    void this.carrier.api(`hash insert/phones/${key}/${behaviourSpec(b)}`);
  }

  async placeCall(call: { from: string; to: string; hangupAfterMs?: number }): Promise<PlacedCall> {
    // mod_hash answers in order on the same connection: a `hash insert` sent before is in force.
    await this.carrier.api('status');
    const caller = randomUUID();
    const cid = call.from;
    if (!/^[+A-Za-z0-9]{1,32}$/.test(cid)) throw new Error(`a loopback originate cannot carry caller ID ${JSON.stringify(cid.slice(0, 20))}`);
    const vars = `origination_uuid=${caller},origination_caller_id_number=${cid},origination_caller_id_name=${cid}`;
    const reply = await this.carrier.bgapi(`originate {${vars}}loopback/${call.to}/public ${CALLER_APP}`);
    if (!reply.startsWith('+OK')) throw new Error(`originate refused: ${reply}`);
    const callId = await waitFor(() => this.view.controlled.get(caller), 5000, `call to ${call.to} reaching the socket application`);
    this.callers.set(callId, caller);
    if (call.hangupAfterMs !== undefined) {
      // Timed from the moment the controller has the call, as the simulator does: a caller gone
      // before FreeSWITCH answered the controller's `connect` never reaches it (FreeSWITCH closes
      // the socket with no channel data: test/pbx/freeswitch/before-connect.test.ts).
      const ms = call.hangupAfterMs;
      const kill = () => void this.carrier.api(`uuid_kill ${callId}`).catch(() => {});
      // In a burst of 60 the controller accepted sockets up to 2.5 s after FreeSWITCH connected
      // them (2 loaded cores): the deadline is long, and only then is the caller let go anyway.
      this.controllerHasCall(callId, 15_000).then(() => setTimeout(kill, ms), kill);
    }
    return { callId };
  }

  /**
   * The caller hangs up as a SIP caller's BYE does: the controlled leg itself (the loopback's `-b`)
   * is hung up, and mod_loopback takes its `-a` partner down. Killing the `-a` leg instead unlinks
   * the pair before either is hung up (mod_loopback.c, channel_kill_channel clears TFLAG_LINKED and
   * channel_read_frame then fails): the controlled leg's bridge ends "by request from read
   * function" (switch_ivr_bridge.c) while that leg is still up, and the call looked ended by the
   * callee (5 of 60 chaos callers in one run; the drain scenario's 'ended by callee' too).
   */
  async hangupCaller(call: PlacedCall): Promise<void> {
    if (this.callers.has(call.callId)) await this.carrier.api(`uuid_kill ${call.callId}`);
  }

  async hangupAnswered(call: PlacedCall): Promise<void> {
    const other = this.view.bridged.get(call.callId);
    if (!other) throw new Error(`call ${call.callId} is not bridged`);
    await this.carrier.api(`uuid_kill ${other}`);
  }

  async waitForAnswer(call: PlacedCall, ms = 8000): Promise<void> {
    await waitFor(() => this.view.bridged.get(call.callId), ms, `call ${call.callId} bridged`);
    await this.controllerAnswered(call, ms);
  }

  override async waitForRecord(call: PlacedCall, ms = 15_000) {
    return super.waitForRecord(call, ms);
  }

  live(): { channels: number; bridges: number } {
    return { channels: this.view.live.size, bridges: this.view.bridged.size / 2 };
  }

  /** Calls whose controlled leg reached the shipped dialplan's fail-safe (its `log` action). */
  failsafeCalls(): string[] {
    return [...this.view.failsafe];
  }

  voicemails(): string[] {
    return this.view.vm.map((v) => v.mailbox);
  }

  /** The message files mod_voicemail stored, oldest first, with their length from the WAV header. */
  messages(): { mailbox: string; seconds: number }[] {
    const root = this.fs.mailboxDir('');
    if (!fs.existsSync(root)) return [];
    const all: { mailbox: string; seconds: number; mtime: number }[] = [];
    for (const mailbox of fs.readdirSync(root)) {
      for (const f of fs.readdirSync(path.join(root, mailbox))) {
        if (!/^msg_.*\.wav$/.test(f)) continue;
        const file = path.join(root, mailbox, f);
        all.push({ mailbox, seconds: wavSeconds(file), mtime: fs.statSync(file).mtimeMs });
      }
    }
    return all.sort((a, b) => a.mtime - b.mtime).map(({ mailbox, seconds }) => ({ mailbox, seconds }));
  }

  dialed(): { dial: string; callerId: string }[] {
    return this.view.bridges.flatMap((arg) =>
      parseBridgeArg(arg).groups.flat().map((leg) => ({ dial: leg.target, callerId: leg.vars.origination_caller_id_number ?? '' })),
    );
  }
}
