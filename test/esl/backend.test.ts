import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EslSimulator } from '../../src/sim/freeswitch/simulator.js';
import { FreeswitchBackend } from '../../src/backend/freeswitch/backend.js';
import { buildBridge } from '../../src/backend/freeswitch/bridge-arg.js';
import { safeCallerId } from '../../src/call/dialstring.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import type { CallControl, LegSpec } from '../../src/call/contract.js';
import { waitFor } from '../support/wait.js';

let sim: EslSimulator;
let backend: FreeswitchBackend;
let calls: CallControl[];

beforeEach(async () => {
  sim = await EslSimulator.start({ password: 'pw', socketTarget: { host: '127.0.0.1', port: 1 }, voicemailMaxMs: 200 });
  const config = configSchema.parse({
    backend: 'freeswitch',
    freeswitch: { listen: '127.0.0.1:0', esl: { host: '127.0.0.1', port: sim.eslPort, password: 'pw' } },
  });
  backend = new FreeswitchBackend({ config, log: silentLogger() });
  calls = [];
  await backend.start(async (c) => {
    calls.push(c);
  });
  sim.setSocketTarget({ host: '127.0.0.1', port: backend.listenPort });
  await waitFor(() => backend.isConnected(), 3000, 'inbound ESL');
});
afterEach(async () => {
  await backend.stop();
  await sim.stop();
});

function leg(key: string, endpoint: string, callerId: string | null = '+12025550999'): LegSpec {
  return { key, user: 'u', device: 'desk', rule: 'number-user', endpoint, callerId };
}

async function placeCall(from = '+12025550999', callerName?: string): Promise<{ uuid: string; call: CallControl }> {
  const { uuid } = await sim.placeInboundCall({ from, to: '+12025550200', callerName });
  const call = await waitFor(() => calls.find((c) => c.info.channelId === uuid), 3000, 'call delivered');
  return { uuid, call };
}

const simChannel = (uuid: string) => sim.channels().find((c) => c.uuid === uuid);

describe('FreeSWITCH backend against the ESL simulator', () => {
  it('given an inbound call, then info carries the channel, caller and number called', async () => {
    const { uuid, call } = await placeCall('+4930555000');
    expect(call.info).toEqual({ channelId: uuid, rawCaller: '+4930555000', rawCalled: '+12025550200', presentationRestricted: false });
    await call.indicateRinging();
    expect(sim.executed().map((a) => a.app)).toEqual(['ring_ready']);
  });

  it('given two legs where one answers, then answered with its key, the loser cancelled, and the bridge ends with the caller', async () => {
    sim.setDevice('user/1001', { kind: 'answer', afterMs: 30 });
    sim.setDevice('user/1002', { kind: 'noanswer' });
    const { uuid, call } = await placeCall();
    const out = await call.ringAttempt([leg('l1', '1001'), leg('l2', '1002')], 20);
    expect(out.kind).toBe('answered');
    if (out.kind !== 'answered') return;
    expect(out.answeredKey).toBe('l1');
    expect(out.legs.find((l) => l.key === 'l2')).toMatchObject({ result: 'cancelled', cause: 16 });
    // The shipped dialplan set continue_on_fail and hangup_after_bridge before `socket`: the bridge is all.
    expect(sim.executed().map((a) => a.app)).toEqual(['bridge']);
    sim.hangup(uuid);
    expect(await call.waitBridgeEnd()).toEqual({ by: 'caller' });
    expect(call.callerGone).toBe(true);
  });

  it('given a dialplan without the sets before socket, when ringing, then the backend sends both sets ahead of the bridge and a busy leg keeps the caller', async () => {
    await sim.stop();
    sim = await EslSimulator.start({ password: 'pw', eslPort: 0, socketTarget: { host: '127.0.0.1', port: backend.listenPort }, beforeSocket: {} });
    await backend.stop();
    const config = configSchema.parse({
      backend: 'freeswitch',
      freeswitch: { listen: '127.0.0.1:0', esl: { host: '127.0.0.1', port: sim.eslPort, password: 'pw' } },
    });
    backend = new FreeswitchBackend({ config, log: silentLogger() });
    await backend.start(async (c) => {
      calls.push(c);
    });
    sim.setSocketTarget({ host: '127.0.0.1', port: backend.listenPort });
    await waitFor(() => backend.isConnected(), 3000, 'inbound ESL');
    sim.setDevice('user/1001', { kind: 'busy' });
    const { uuid, call } = await placeCall();
    expect((await call.ringAttempt([leg('l1', '1001')], 20)).kind).toBe('unanswered');
    const [set1, set2, bridge] = sim.executed();
    expect([set1?.arg, set2?.arg, bridge?.app]).toEqual(['continue_on_fail=true', 'hangup_after_bridge=false', 'bridge']);
    expect(simChannel(uuid)?.cause).toBeNull();
  });

  it('given the caller hangs up while bridged and her CHANNEL_HANGUP comes after the bridge completes (a real FreeSWITCH race), then the bridge still ends by caller', async () => {
    sim.opts.lateCallerHangup = true;
    sim.setDevice('user/1001', { kind: 'answer', afterMs: 10 });
    const { uuid, call } = await placeCall();
    expect((await call.ringAttempt([leg('l1', '1001')], 20)).kind).toBe('answered');
    const order: string[] = [];
    sim.events.on('event', (e: { name: string; uuid: string; headers: Record<string, string> }) => {
      if (e.uuid === uuid && (e.name === 'CHANNEL_HANGUP' || (e.name === 'CHANNEL_EXECUTE_COMPLETE' && e.headers.Application === 'bridge'))) order.push(e.name);
    });
    sim.hangup(uuid);
    expect(await call.waitBridgeEnd()).toEqual({ by: 'caller' });
    // The simulator did send them in the racing order, or this test shows nothing.
    await waitFor(() => order.length === 2, 3000, 'both events');
    expect(order).toEqual(['CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP']);
  });

  it('given the callee hangs up, then the bridge ends by callee and the backend hangs the caller up (surprise 10)', async () => {
    sim.setDevice('user/1001', { kind: 'answer', afterMs: 10, talkMs: 50 });
    const { uuid, call } = await placeCall();
    expect((await call.ringAttempt([leg('l1', '1001')], 20)).kind).toBe('answered');
    expect(await call.waitBridgeEnd()).toEqual({ by: 'callee' });
    // FreeSWITCH leaves the caller up after the bridge (no hangup_after_bridge): the backend ends it.
    await waitFor(() => simChannel(uuid)?.cause === 'NORMAL_CLEARING', 3000, 'caller hung up');
  });

  it('given every leg busy or rejected, then unanswered at once with their causes, and the caller stays up', async () => {
    sim.setDevice('user/1001', { kind: 'busy' });
    sim.setDevice('user/1002', { kind: 'rejected' });
    const { uuid, call } = await placeCall();
    const out = await call.ringAttempt([leg('l1', '1001'), leg('l2', '1002')], 600);
    expect(out.kind).toBe('unanswered');
    expect(out.legs).toEqual([
      expect.objectContaining({ key: 'l1', result: 'busy', cause: 17 }),
      expect.objectContaining({ key: 'l2', result: 'rejected', cause: 21 }),
    ]);
    expect(simChannel(uuid)?.cause).toBeNull();
  });

  it.each([
    ['unregistered', null, 'unreachable', null],
    ['congested', { kind: 'congestion' } as const, 'unreachable', 41],
  ])('given an %s device, then the leg is %s with cause %s', async (_n, device, result, cause) => {
    if (device) sim.setDevice('user/1004', device);
    const { call } = await placeCall();
    const out = await call.ringAttempt([leg('l1', '1004')], 20);
    expect(out).toMatchObject({ kind: 'unanswered', legs: [{ key: 'l1', result, cause }] });
  });

  it('given nobody answers, then unanswered after leg_timeout with no-answer (ALLOTTED_TIMEOUT, 16)', async () => {
    sim.setDevice('user/1001', { kind: 'noanswer' });
    const { call } = await placeCall();
    const out = await call.ringAttempt([leg('l1', '1001')], 1);
    expect(out).toMatchObject({ kind: 'unanswered', legs: [{ result: 'no-answer', cause: 16 }] });
    expect(sim.dialStrings()[0]).toContain('leg_timeout=1');
  });

  it('given the caller hangs up while ringing, then caller-gone and the legs cancelled', async () => {
    sim.setDevice('user/1001', { kind: 'noanswer' });
    const { uuid, call } = await placeCall();
    const pending = call.ringAttempt([leg('l1', '1001')], 30);
    await waitFor(() => sim.channels().some((c) => c.to === '1001'), 3000, 'leg ringing');
    sim.hangup(uuid);
    const out = await pending;
    expect(out).toMatchObject({ kind: 'caller-gone', legs: [{ key: 'l1', result: 'cancelled', cause: 16 }] });
    expect(call.callerGone).toBe(true);
  });

  it('given voicemail, then the caller is answered first and the mailbox recorded in the default domain', async () => {
    const { call } = await placeCall();
    await call.voicemail('1001');
    const vm = await waitFor(() => sim.voicemails()[0], 3000, 'voicemail');
    expect(vm).toMatchObject({ mailbox: '1001', domain: 'default', profile: 'default', answered: true });
  });

  it('given hangup no-route, then the caller is dropped with NO_ROUTE_DESTINATION', async () => {
    const { uuid, call } = await placeCall();
    await call.hangup('no-route');
    await waitFor(() => simChannel(uuid)?.cause === 'NO_ROUTE_DESTINATION', 3000, 'no-route hangup');
    await waitFor(() => call.callerGone, 3000, 'callerGone');
  });

  it.each(['1001,user/1002', '"&|^', 'Eve\nContent-Length: 5', 'x'.repeat(500)])(
    'given a hostile caller id %j, then it reaches no dial string and no channel variable',
    async (hostile) => {
      sim.setDefaultDevice({ kind: 'busy' });
      const { call } = await placeCall(hostile, hostile);
      const out = await call.ringAttempt([leg('l1', '1001', hostile), { ...leg('l2', '1002'), endpoint: undefined, number: '+12025550111', callerId: hostile }], 5);
      expect(out.kind).toBe('unanswered');
      const sent = [...sim.dialStrings(), ...sim.executed().map((a) => a.arg)].join('\n');
      expect(sent).not.toContain(hostile.slice(0, 8));
      expect(sent).not.toContain('user/1002');
      expect(sim.dialStrings()[0]).toContain('origination_caller_id_number=anonymous');
    },
  );

  it('given a hostile endpoint in a leg, then that leg fails without dialling and the rest ring', async () => {
    sim.setDevice('user/1001', { kind: 'busy' });
    const { call } = await placeCall();
    const out = await call.ringAttempt([leg('bad', '1001,user/1002'), leg('ok', '1001')], 5);
    expect(out.legs.find((l) => l.key === 'bad')).toMatchObject({ result: 'failed', cause: null });
    expect(sim.dialStrings().join()).not.toContain('user/1002');
  });

  it('given the controller closes at HANGUP_COMPLETE, then FreeSWITCH can destroy the channel (no linger forever)', async () => {
    const { uuid, call } = await placeCall();
    await call.hangup('normal');
    await waitFor(() => sim.channels().length > 0 && simChannelDestroyed(uuid), 3000, 'channel destroyed');
  });
});

function simChannelDestroyed(uuid: string): boolean {
  return (sim as unknown as { getChannel(u: string): { destroyed: boolean } | undefined }).getChannel(uuid)?.destroyed === true;
}

describe('bridge argument', () => {
  it('given legs, then one simultaneous bridge with per-leg uuid, timeout and caller id', () => {
    let n = 0;
    const uuid = () => `00000000-0000-4000-8000-00000000000${n++}`;
    const plan = buildBridge([leg('a', '1001'), { ...leg('b', '1002'), endpoint: undefined, number: '+12025550111', callerId: null }], 25, { endpoint: 'user/{endpoint}', trunk: 'sofia/gateway/carrier/{number}' }, uuid);
    expect(plan.arg).toBe(
      '{ignore_early_media=true}' +
        '[origination_uuid=00000000-0000-4000-8000-000000000000,leg_timeout=25,origination_caller_id_number=+12025550999,origination_caller_id_name=+12025550999]user/1001,' +
        '[origination_uuid=00000000-0000-4000-8000-000000000001,leg_timeout=25,origination_caller_id_number=anonymous,origination_caller_id_name=anonymous,origination_privacy=hide_name:hide_number]sofia/gateway/carrier/+12025550111',
    );
  });

  it.each([['+12025550999', '+12025550999'], [null, 'anonymous'], ['2025550999', 'anonymous'], ['+1,2', 'anonymous']])('caller id %j -> %s', (input, out) => {
    expect(safeCallerId(input)).toBe(out);
  });
});

describe('linger notice before the last events (surprise 5)', () => {
  it('given the linger notice arrives right after CHANNEL_HANGUP, then the backend still reads the bridge result', async () => {
    const early = await EslSimulator.start({ password: 'pw', socketTarget: { host: '127.0.0.1', port: backend.listenPort }, earlyLingerNotice: true });
    const config = configSchema.parse({ backend: 'freeswitch', freeswitch: { listen: '127.0.0.1:0', esl: { host: '127.0.0.1', port: early.eslPort, password: 'pw' } } });
    const b = new FreeswitchBackend({ config, log: silentLogger() });
    const got: CallControl[] = [];
    try {
      await b.start(async (c) => {
        got.push(c);
      });
      early.setSocketTarget({ host: '127.0.0.1', port: b.listenPort });
      early.setDevice('user/1001', { kind: 'noanswer' });
      const { uuid } = await early.placeInboundCall({ from: '+12025550999', to: '+12025550200' });
      const call = await waitFor(() => got.find((c) => c.info.channelId === uuid), 3000, 'call');
      const pending = call.ringAttempt([leg('l1', '1001')], 30);
      await waitFor(() => early.channels().some((c) => c.to === '1001'), 3000, 'leg ringing');
      early.hangup(uuid);
      expect(await pending).toMatchObject({ kind: 'caller-gone', legs: [{ result: 'cancelled' }] });
    } finally {
      await b.stop();
      await early.stop();
    }
  });
});
