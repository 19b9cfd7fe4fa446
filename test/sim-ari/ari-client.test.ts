/** The real ari-client 2.2.0 against the simulator: connect, inbound call, originate, bridge, hangup, voicemail. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AriSimulator, SimEventRecord } from '../../src/sim/asterisk/index.js';
import { nextEvent, waitFor } from '../support/wait.js';
import { APP, collect, connectClient, rest, startSim, type AriClient } from './helpers.js';

let sim: AriSimulator;
let client: AriClient;
let events: SimEventRecord[];

const stasisStart = (arg?: string) => nextEvent<SimEventRecord>(sim.events, 'event', (r) => r.event.type === 'StasisStart' && (arg === undefined || (r.event.args as string[])[0] === arg));

describe('ARI simulator with ari-client', () => {
  beforeEach(async () => {
    sim = await startSim({ stasisArgs: 'exten', voicemailMaxMs: 2000 });
    events = collect(sim);
    client = await connectClient(sim);
  });
  afterEach(async () => {
    client.stop();
    await sim.stop();
  });

  it('delivers StasisStart for an inbound call with the dialled number and the raw caller text', async () => {
    // given
    const hostile = '"><script>; Dial(PJSIP/evil)';
    const started = stasisStart();
    // when
    const call = await sim.placeInboundCall({ from: hostile, to: '+15551234', callerName: 'Bob' });
    const ev = (await started).event as any;
    // then
    expect(ev.channel.id).toBe(call.channelId);
    expect(ev.args).toEqual(['+15551234']);
    expect(ev.channel.caller).toEqual({ name: 'Bob', number: hostile });
    expect(ev.channel.name).toMatch(/^Local\/\+15551234@from-trunk-[0-9a-f]{8};2$/);
    expect(ev.channel.id).toMatch(/^\d+\.\d+$/);
    expect(ev.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  });

  it('originates to a device that answers, bridges both, and tears down on the caller hanging up', async () => {
    // given an answered inbound call and a phone that answers after 20 ms
    sim.setDevice('PJSIP/1001', { kind: 'answer', afterMs: 20 });
    const started = stasisStart();
    const call = await sim.placeInboundCall({ from: '+12025550111', to: '+15551234' });
    await started;
    await client.channels.answer({ channelId: call.channelId });
    const bridge = await client.bridges.create({ type: 'mixing', name: 'call' });
    // when
    const targetUp = stasisStart('dialed');
    const target = await client.channels.originate({ endpoint: 'PJSIP/1001', app: APP, appArgs: 'dialed', callerId: '+12025550111', timeout: 30 });
    await targetUp;
    await client.bridges.addChannel({ bridgeId: bridge.id, channel: [call.channelId, target.id] });
    // then
    expect(sim.bridges()[0]?.channels).toEqual([call.channelId, target.id]);
    const dials = events.filter((r) => r.event.type === 'Dial').map((r) => (r.event as any).dialstatus);
    expect(dials).toEqual(['', 'RINGING', 'ANSWER']);
    // when the caller hangs up
    const ended = nextEvent<SimEventRecord>(sim.events, 'event', (r) => r.event.type === 'StasisEnd' && (r.event as any).channel.id === call.channelId);
    await sim.hangup(call.pstnChannelId);
    await ended;
    await client.channels.hangup({ channelId: target.id });
    await client.bridges.destroy({ bridgeId: bridge.id });
    // then nothing is left
    expect(sim.channels()).toEqual([]);
    expect(sim.bridges()).toEqual([]);
  });

  it.each([
    [{ kind: 'busy' } as const, 'BUSY', 17],
    [{ kind: 'rejected' } as const, 'NOANSWER', 21],
    [{ kind: 'congestion' } as const, 'CONGESTION', 34],
  ])('a PJSIP device that refuses (%o) gives Dial %s and cause %i', async (behaviour, dialstatus, cause) => {
    // given
    sim.setDevice('PJSIP/1002', behaviour);
    // when
    const destroyed = nextEvent<SimEventRecord>(sim.events, 'channel-destroyed');
    await client.channels.originate({ endpoint: 'PJSIP/1002', app: APP, appArgs: 'dialed', timeout: 30 });
    const ev = (await destroyed).event as any;
    // then
    expect(ev.cause).toBe(cause);
    expect(events.filter((r) => r.event.type === 'Dial').map((r) => (r.event as any).dialstatus)).toEqual(['', dialstatus]);
  });

  it('answers HTTP 500 "Allocation failed" for an unknown PJSIP endpoint, with no channel and no event', async () => {
    const res = await rest(sim, 'POST', '/ari/channels', { endpoint: 'PJSIP/1099', app: APP });
    expect(res).toEqual({ status: 500, body: { error: 'Allocation failed' } });
    expect(sim.channels()).toEqual([]);
    expect(events).toEqual([]);
  });

  it('hangs up with the reason given: answered_elsewhere -> cause 26', async () => {
    sim.setDevice('PJSIP/1003', { kind: 'noanswer' });
    const target = await client.channels.originate({ endpoint: 'PJSIP/1003', app: APP, timeout: 30 });
    await waitFor(() => events.some((r) => (r.event as any).dialstatus === 'RINGING'), 2000, 'ringing');
    const destroyed = nextEvent<SimEventRecord>(sim.events, 'channel-destroyed');
    await client.channels.hangup({ channelId: target.id, reason: 'answered_elsewhere' });
    expect(((await destroyed).event as any).cause).toBe(26);
  });

  it('continues a caller into the voicemail context, which records a message until the caller hangs up', async () => {
    const started = stasisStart();
    const call = await sim.placeInboundCall({ from: '+12025550111', to: '+15551234' });
    await started;
    await client.channels.continueInDialplan({ channelId: call.channelId, context: 'switchboard-voicemail', extension: '1001', priority: 1 });
    await waitFor(() => sim.voicemails().length === 1, 2000, 'voicemail');
    expect(sim.voicemails()[0]).toMatchObject({ mailbox: '1001', callerNumber: '+12025550111', channelId: call.channelId });
    await sim.hangup(call.pstnChannelId);
    await waitFor(() => sim.voicemails()[0]?.endedAt, 2000, 'voicemail ended');
    expect(sim.channels()).toEqual([]);
  });

  it('keeps calls and bridges through a WebSocket drop and ari-client reconnects', async () => {
    const started = stasisStart();
    const call = await sim.placeInboundCall({ from: '+12025550111', to: '+15551234' });
    await started;
    const up = new Promise<void>((resolve) => client.on('WebSocketConnected', () => resolve()));
    sim.dropWebSockets();
    await up;
    const app = await client.applications.get({ applicationName: APP });
    expect(app.channel_ids).toEqual([call.channelId]);
  });
});
