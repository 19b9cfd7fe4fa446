/**
 * Spec section 10: a controller whose PBX is gone for 30 s (here shortened with `pbxLostMs`)
 * closes its open calls in the log as `failed`; a PBX back sooner is reconciled as before.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { Controller } from '../../src/controller.js';
import { silentLogger } from '../../src/log.js';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { Store } from '../../src/store/index.js';
import type { CallRecord } from '../../src/call/record.js';
import { PbxLostError, PbxOutage } from '../../src/runtime/pbx-outage.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { waitFor } from '../support/wait.js';

describe('a controller whose PBX is gone', () => {
  let sim: AriSimulator | null = null;
  let controller: Controller | null = null;
  afterEach(async () => {
    await controller?.stop(0);
    await sim?.stop();
    controller = sim = null;
  });

  async function start(pbxLostMs: number) {
    sim = await AriSimulator.start({ port: 0, username: 'switchboard', password: 'lost-test' });
    const config = configSchema.parse({ ...SCENARIO_CONFIG, asterisk: { url: sim.url, username: 'switchboard', password: 'lost-test', requestTimeoutMs: 500 } });
    const store = await Store.open(':memory:');
    const ended = new Map<string, CallRecord>();
    controller = await Controller.start({
      loaded: { config, file: 'lost.yaml', dir: '.', sqlitePath: ':memory:', warnings: [] },
      log: silentLogger(),
      store,
      observer: { callEnded: (r) => void ended.set(r.id, r) },
      pbxLostMs,
    });
    await waitFor(() => sim!.connectedApps().includes('switchboard'), 5000, 'connected');
    sim.setDevice('PJSIP/1001', { kind: 'answer', afterMs: 10 });
    const call = await sim.placeInboundCall({ from: '+12025550901', to: '+12025550200' });
    await waitFor(() => sim!.bridges().some((b) => b.channels.includes(call.channelId)), 5000, 'bridged');
    return { call, ended, store };
  }

  it('given a bridged call, when the PBX stays gone past the limit, then the call is closed as failed, saying why', async () => {
    const { call, ended, store } = await start(400);
    const goneAt = Date.now();
    await sim!.stop();
    const r = await waitFor(() => ended.get(call.channelId), 5000, 'the call closed');
    expect(Date.now() - goneAt).toBeGreaterThanOrEqual(400);
    expect(r.outcome).toBe('failed');
    expect(r.detail).toBe('the PBX was gone for 400 ms: call closed as failed');
    expect(r.answeredBy).toEqual({ user: 'alice', device: 'desk' });
    expect((await store.calls.get(call.channelId))?.outcome).toBe('failed');
    expect(controller!.activeCalls).toBe(0);
    // Nothing left to resume: the next run does not take it up again.
    expect(await store.calls.listStates()).toEqual([]);
  });

  it('given a bridged call, when the WebSocket drops and comes back, then the call goes on to its end', async () => {
    const { call, ended } = await start(3000);
    sim!.dropWebSockets();
    await waitFor(() => sim!.connectedApps().includes('switchboard'), 5000, 'reconnected');
    await sim!.hangup(call.pstnChannelId);
    const r = await waitFor(() => ended.get(call.channelId), 5000, 'the call over');
    expect(r.outcome).toBe('answered');
  });
});

describe('PbxOutage', () => {
  afterEach(() => vi.useRealTimers());
  const outage = () => new PbxOutage({ afterMs: 30_000, connected: () => false, log: silentLogger() });

  it('given the PBX back before 30 s, then nothing is aborted, and a later outage counts from its own start', () => {
    vi.useFakeTimers();
    const o = outage();
    o.disconnected();
    vi.advanceTimersByTime(29_000);
    o.connected();
    vi.advanceTimersByTime(60_000);
    expect(o.signal.aborted).toBe(false);
    o.disconnected();
    vi.advanceTimersByTime(29_999);
    expect(o.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(o.signal.aborted).toBe(true);
    expect(o.signal.reason).toBeInstanceOf(PbxLostError);
    expect((o.signal.reason as PbxLostError).code).toBe('PBX_LOST');
  });

  it('given every reconnect try failing, then the clock runs from the first loss, not from each try', () => {
    vi.useFakeTimers();
    const o = outage();
    o.disconnected();
    for (let i = 0; i < 30; i++) {
      vi.advanceTimersByTime(1000);
      o.disconnected();
    }
    expect(o.signal.aborted).toBe(true);
  });

  it('given an outage that closed the calls, then calls after the reconnect get a fresh signal', () => {
    vi.useFakeTimers();
    const o = outage();
    o.disconnected();
    vi.advanceTimersByTime(30_000);
    const old = o.signal;
    o.connected();
    expect(old.aborted).toBe(true);
    expect(o.signal.aborted).toBe(false);
  });
});

describe('a draining controller behind Kamailio', () => {
  let sim: AriSimulator | null = null;
  let controller: Controller | null = null;
  afterEach(async () => {
    await controller?.stop(0);
    await sim?.stop();
    controller = sim = null;
  });

  it('given a PJSIP call the proxy offered to another node, then it is answered 503 (cause 34), not sent to the fail-safe route; without the offer, the fail-safe route', async () => {
    sim = await AriSimulator.start({ port: 0, username: 'switchboard', password: 'drain-test' });
    const config = configSchema.parse({ ...SCENARIO_CONFIG, asterisk: { url: sim.url, username: 'switchboard', password: 'drain-test', requestTimeoutMs: 500 } });
    controller = await Controller.start({
      loaded: { config, file: 'drain.yaml', dir: '.', sqlitePath: ':memory:', warnings: [] },
      log: silentLogger(),
      store: await Store.open(':memory:'),
    });
    await waitFor(() => sim!.connectedApps().includes('switchboard'), 5000, 'connected');
    controller.backend.stopAccepting();
    const destroyed = new Map<string, number>();
    sim.events.on('channel-destroyed', (r: { event: { channel: { id: string }; cause: number } }) => destroyed.set(r.event.channel.id, r.event.cause));

    const offered = await sim.placeInboundCall({ from: '+12025550901', to: '+12025550200', via: 'pjsip', headers: { 'X-Switchboard-Failover': 'yes' } });
    expect(await waitFor(() => destroyed.get(offered.channelId), 5000, 'the offered call hung up')).toBe(34);
    expect(sim.failsafeCalls().map((f) => f.channelId)).not.toContain(offered.channelId);

    const last = await sim.placeInboundCall({ from: '+12025550902', to: '+12025550200', via: 'pjsip' });
    await waitFor(() => sim!.failsafeCalls().some((f) => f.channelId === last.channelId), 5000, 'the last node keeps its fail-safe route');
  });
});
