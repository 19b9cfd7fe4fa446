/**
 * The simulator as the real Asterisk 22 (test/pbx/multinode/app-replaced.test.ts): a second
 * WebSocket for our app replaces the controller's; the controller gets ApplicationReplaced, stops
 * taking calls for good with the reason (/healthz red), and does not reconnect to take it back.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { Controller } from '../../src/controller.js';
import { silentLogger } from '../../src/log.js';
import { startObservability } from '../../src/observability/http.js';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { Store } from '../../src/store/index.js';
import { waitFor } from '../support/wait.js';

describe('ApplicationReplaced on the Asterisk simulator', () => {
  let sim: AriSimulator;
  let store: Store;
  let controller: Controller;
  let intruder: WebSocket | null = null;
  beforeAll(async () => {
    sim = await AriSimulator.start({ port: 0, username: 'switchboard', password: 'replaced' });
    store = await Store.open(':memory:');
    const config = configSchema.parse({
      users: [{ id: 'alice', name: 'Alice', extension: '1001' }],
      numbers: [{ number: '+12025550200', user: 'alice' }],
      asterisk: { url: sim.url, username: 'switchboard', password: 'replaced' },
    });
    controller = await Controller.start({ loaded: { config, file: 'a.yaml', dir: '.', sqlitePath: ':memory:', warnings: [] }, log: silentLogger(), store });
  });
  afterAll(async () => {
    intruder?.close();
    await controller?.stop(1000);
    await store?.close();
    await sim?.stop();
  });

  it('given another connection subscribes to our app, then the controller refuses calls with the reason and the newcomer gets the calls', async () => {
    const events: { type: string }[] = [];
    intruder = new WebSocket(`${sim.url.replace(/^http/, 'ws')}/ari/events?app=switchboard&api_key=switchboard:replaced`);
    intruder.on('message', (d) => events.push(JSON.parse(String(d)) as { type: string }));
    await new Promise<void>((resolve, reject) => {
      intruder!.once('open', () => resolve());
      intruder!.once('error', reject);
    });
    const reason = await waitFor(() => controller.refusingReason(), 5000, 'the controller to give the app up');
    expect(reason).toMatch(/ApplicationReplaced/);
    const obs = await startObservability('127.0.0.1:0', controller.metrics, {
      connected: () => controller.backend.isConnected(),
      reason: () => controller.disconnectedReason(),
      activeCalls: () => controller.activeCalls,
      configGeneration: () => controller.configGeneration,
      refusing: () => controller.refusingReason(),
      store: () => ({ kind: controller.store.kind, ...controller.store.health() }),
    });
    try {
      const res = await fetch(`http://127.0.0.1:${obs.port}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'app-replaced', reason, store: { kind: 'sqlite', up: true } });
    } finally {
      await obs.close();
    }
    await sim.placeInboundCall({ from: '+12025550901', to: '+12025550200' });
    await waitFor(() => events.some((e) => e.type === 'StasisStart'), 5000, 'StasisStart on the newcomer');
    expect(controller.activeCalls).toBe(0);
    expect(sim.originates().some((o) => o.dial.startsWith('PJSIP/'))).toBe(false);
  });
});
