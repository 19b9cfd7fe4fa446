import net from 'node:net';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EslSimulator } from '../../src/sim/freeswitch/simulator.js';
import { EslConnection } from '../../src/backend/freeswitch/connection.js';
import { frameToEvent, type EslEvent } from '../../src/esl/protocol.js';
import type { DeviceBehaviour } from '../../src/sim/devices.js';
import { waitFor } from '../support/wait.js';
import { describeShared, sharedPath } from '../support/shared.js';

/** A tiny outbound-socket controller: records every event per call, lets the test send commands. */
class TinyController {
  readonly server: net.Server;
  readonly calls: Array<{ conn: EslConnection; data: EslEvent; events: EslEvent[]; notices: string[] }> = [];
  constructor(private readonly linger: string | null = 'linger') {
    this.server = net.createServer(async (socket) => {
      const conn = new EslConnection(socket);
      const events: EslEvent[] = [];
      const notices: string[] = [];
      conn.on('event', (e: EslEvent) => events.push(e));
      conn.on('notice', (f) => notices.push(f.headers['Content-Disposition'] ?? 'inbound'));
      const data = frameToEvent(await conn.send('connect'))!;
      await conn.send('myevents');
      if (this.linger) await conn.send(this.linger);
      this.calls.push({ conn, data, events, notices });
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }
  close(): Promise<void> {
    for (const c of this.calls) c.conn.socket.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

function execute(conn: EslConnection, uuid: string, app: string, arg: string): Promise<unknown> {
  return conn.send(`sendmsg ${uuid}`, [['call-command', 'execute'], ['execute-app-name', app], ['execute-app-arg', arg], ['Event-UUID', randomUUID()]]);
}

let sim: EslSimulator;
let ctl: TinyController;

beforeEach(async () => {
  ctl = new TinyController();
  const port = await ctl.listen();
  // beforeSocket {}: these tests record FreeSWITCH's own behaviour, without the shipped dialplan's sets.
  sim = await EslSimulator.start({ password: 'pw', socketTarget: { host: '127.0.0.1', port }, voicemailMaxMs: 100, failsafe: { companyMailbox: '9000' }, beforeSocket: {} });
});
afterEach(async () => {
  await sim.stop();
  await ctl.close();
});

async function call(from = '+12025550999') {
  const { uuid } = await sim.placeInboundCall({ from, to: '+12025550200', callerName: 'Caller' });
  const c = await waitFor(() => ctl.calls.find((x) => x.data.headers['Unique-ID'] === uuid), 3000, 'controller connection');
  return { uuid, ...c };
}

const completeOf = (events: EslEvent[], app: string) => events.find((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && e.headers.Application === app);

describe('ESL simulator: outbound socket and bridge results', () => {
  it('given a call, then the controller gets CHANNEL_DATA with the caller and the number called', async () => {
    const c = await call('+4930555000');
    expect(c.data.headers['Caller-Caller-ID-Number']).toBe('+4930555000');
    expect(c.data.headers['Caller-Destination-Number']).toBe('+12025550200');
    expect(c.data.headers['Socket-Mode']).toBe('async');
  });

  it.each<[string, DeviceBehaviour | null, string, Record<string, string | undefined>]>([
    ['busy', { kind: 'busy' }, 'user/1002', { originate_disposition: 'USER_BUSY', DIALSTATUS: 'BUSY', last_bridge_hangup_cause: 'USER_BUSY', originate_failed_cause: 'USER_BUSY' }],
    ['rejected', { kind: 'rejected' }, 'user/1003', { originate_disposition: 'CALL_REJECTED', DIALSTATUS: 'DONTCALL' }],
    ['congestion', { kind: 'congestion' }, 'sofia/gateway/carrier/+12025550111', { originate_disposition: 'NORMAL_TEMPORARY_FAILURE' }],
    ['unregistered', null, 'user/1004', { originate_disposition: 'USER_NOT_REGISTERED', DIALSTATUS: 'USER_NOT_REGISTERED', last_bridge_hangup_cause: undefined }],
    ['never answering (leg_timeout)', { kind: 'noanswer' }, '{leg_timeout=1}user/1005', { originate_disposition: 'ALLOTTED_TIMEOUT', DIALSTATUS: 'ALLOTTED_TIMEOUT' }],
  ])('given a %s target and no continue_on_fail, when bridged, then the recorded variables and the caller is hung up (surprise 1)', async (_n, device, dial, vars) => {
    const target = dial.replace(/^\{[^}]*\}/, '');
    if (device) sim.setDevice(target, device);
    const c = await call();
    await execute(c.conn, c.uuid, 'bridge', dial);
    const done = await waitFor(() => completeOf(c.events, 'bridge'), 5000, 'bridge complete');
    for (const [k, v] of Object.entries(vars)) expect(done.headers[`variable_${k}`], k).toBe(v);
    const hc = await waitFor(() => c.events.find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE'), 3000, 'hangup complete');
    expect(hc.headers['Hangup-Cause']).toBe(vars.originate_disposition);
  });

  it('given continue_on_fail=true and a busy target, then the caller stays up', async () => {
    sim.setDevice('user/1002', { kind: 'busy' });
    const c = await call();
    await execute(c.conn, c.uuid, 'set', 'continue_on_fail=true');
    await execute(c.conn, c.uuid, 'bridge', 'user/1002');
    await waitFor(() => completeOf(c.events, 'bridge'), 3000, 'bridge complete');
    expect(c.events.some((e) => e.name === 'CHANNEL_HANGUP')).toBe(false);
    expect(sim.channels().find((x) => x.uuid === c.uuid)?.cause).toBeNull();
  });

  it('given two legs at once where the second answers, then BRIDGE names its origination_uuid and the loser gets LOSE_RACE', async () => {
    sim.setDevice('user/1001', { kind: 'noanswer' });
    sim.setDevice('user/1002', { kind: 'answer', afterMs: 20 });
    const c = await call();
    const [u1, u2] = [randomUUID(), randomUUID()];
    await execute(c.conn, c.uuid, 'bridge', `{ignore_early_media=true}[origination_uuid=${u1}]user/1001,[origination_uuid=${u2}]user/1002`);
    const bridged = await waitFor(() => c.events.find((e) => e.name === 'CHANNEL_BRIDGE'), 3000, 'bridge');
    expect(bridged.headers['Other-Leg-Unique-ID']).toBe(u2);
    expect(sim.channels().find((x) => x.uuid === u1)?.cause).toBe('LOSE_RACE');
    sim.hangup(c.uuid);
    const done = await waitFor(() => completeOf(c.events, 'bridge'), 3000, 'bridge complete');
    expect(done.headers.variable_originate_disposition).toBe('SUCCESS');
    expect(done.headers.variable_bridge_hangup_cause).toBe('NORMAL_CLEARING');
  });

  it('given voicemail without answer, then it is recorded unanswered (surprise 9)', async () => {
    const c = await call();
    await execute(c.conn, c.uuid, 'voicemail', 'default default 1001');
    const vm = await waitFor(() => sim.voicemails()[0], 3000, 'voicemail');
    expect(vm).toMatchObject({ mailbox: '1001', domain: 'default', answered: false });
  });

  it('given sendmsg after the hangup, then +OK but no CHANNEL_EXECUTE (surprise 2)', async () => {
    const c = await call();
    sim.hangup(c.uuid);
    await waitFor(() => c.events.find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE'), 3000, 'hangup complete');
    const reply = (await execute(c.conn, c.uuid, 'bridge', 'user/1001')) as { headers: Record<string, string> };
    expect(reply.headers['Reply-Text']).toBe('+OK');
    expect(c.events.some((e) => e.name === 'CHANNEL_EXECUTE' && e.headers.Application === 'bridge')).toBe(false);
    expect(c.notices).toEqual(['linger']);
  });
});

describe('ESL simulator: fail-safe (surprise 7)', () => {
  it('given nothing listens on the socket target, then the fail-safe takes the call', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    sim.setSocketTarget({ host: '127.0.0.1', port });
    const { uuid } = await sim.placeInboundCall({ from: '+12025550999', to: '+12025550200' });
    await waitFor(() => sim.voicemails().length > 0, 3000, 'fail-safe voicemail');
    expect(sim.failsafeCalls()).toMatchObject([{ uuid, reason: 'refused' }]);
    expect(sim.voicemails()[0]).toMatchObject({ mailbox: '9000', answered: true });
  });

  it('given the controller closes its socket mid-call, then the fail-safe runs', async () => {
    const c = await call();
    c.conn.socket.destroy();
    await waitFor(() => sim.failsafeCalls().length > 0, 3000, 'fail-safe');
    expect(sim.failsafeCalls()[0]).toMatchObject({ uuid: c.uuid, reason: 'socket-closed' });
  });
});

describe('ESL simulator: inbound ESL with drachtio-modesl (the real client library)', () => {
  it('given modesl connects, when it runs api, bgapi and events, then it gets the recorded replies', async () => {
    const esl = createRequire(import.meta.url)('drachtio-modesl') as {
      Connection: new (host: string, port: number, password: string, cb: () => void) => {
        api(cmd: string, cb: (res: { getBody(): string }) => void): void;
        bgapi(cmd: string, cb: (res: { getBody(): string }) => void): void;
        events(type: string, names: string, cb: () => void): void;
        on(ev: string, cb: (e: { getHeader(n: string): string }) => void): void;
        disconnect(): void;
      };
    };
    const conn = await new Promise<InstanceType<typeof esl.Connection>>((resolve) => {
      const c: InstanceType<typeof esl.Connection> = new esl.Connection('127.0.0.1', sim.eslPort, 'pw', () => resolve(c));
    });
    try {
      expect(await new Promise<string>((r) => conn.api('uuid_kill nope', (res) => r(res.getBody())))).toBe('-ERR No such channel!\n');
      expect(await new Promise<string>((r) => conn.api('show channels as json', (res) => r(res.getBody())))).toBe('{"row_count": 0}\n');
      const created: string[] = [];
      await new Promise<void>((r) => conn.events('plain', 'CHANNEL_CREATE BACKGROUND_JOB', () => r()));
      conn.on('esl::event::CHANNEL_CREATE::*', (e) => created.push(e.getHeader('Unique-ID')));
      const { uuid } = await sim.placeInboundCall({ from: '+12025550999', to: '+12025550200' });
      await waitFor(() => created.includes(uuid), 3000, 'CHANNEL_CREATE via modesl');
      expect(await new Promise<string>((r) => conn.api(`uuid_exists ${uuid}`, (res) => r(res.getBody())))).toBe('true');
      const bg = await new Promise<string>((r) => conn.bgapi(`uuid_kill ${uuid}`, (res) => r(res.getBody())));
      expect(bg).toBe('+OK\n');
    } finally {
      conn.disconnect();
    }
  });
});

describeShared('ESL simulator vs recorded event sequences', () => {
  function recordedSequence(trace: string): string[] {
    const lines = readFileSync(sharedPath('freeswitch-reference/traces', `${trace}.jsonl`), 'utf8').trim().split('\n');
    return lines
      .map((l) => JSON.parse(l) as { conn: string; kind: string; event?: string | null; type?: string })
      .filter((r) => r.conn === 'controller' && r.kind === 'recv' && r.type === 'text/event-plain' && r.event)
      .map((r) => r.event as string);
  }

  it('given a SIP caller bridged to an answering target who the caller then leaves, then the controller sees the s1 sequence', async () => {
    sim.setDevice('user/1001', { kind: 'answer', afterMs: 20 });
    const c = await call();
    await execute(c.conn, c.uuid, 'bridge', 'user/1001');
    await waitFor(() => c.events.find((e) => e.name === 'CHANNEL_BRIDGE'), 3000, 'bridge');
    sim.hangup(c.uuid);
    await waitFor(() => c.events.find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE'), 3000, 'hangup complete');
    expect(c.events.map((e) => e.name)).toEqual(recordedSequence('s1-sip-carrier-in-sip-target-answers'));
  });
});
