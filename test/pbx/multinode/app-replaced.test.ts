/**
 * Section 10 on a real Asterisk: a controller whose ARI app is taken over by another connection
 * (`ApplicationReplaced`) stops taking calls, says why, and does not reconnect to fight for the
 * app: the newcomer keeps getting the calls.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { configSchema } from '../../../src/config/schema.js';
import { Controller } from '../../../src/controller.js';
import { silentLogger } from '../../../src/log.js';
import { Store } from '../../../src/store/index.js';
import { TEST_DEVICE_DIALS } from '../asterisk/harness.js';
import { AsteriskInstance } from '../asterisk/instance.js';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { waitFor } from '../../support/wait.js';

const asterisk = locateAsterisk();

describePbx('ApplicationReplaced on a real Asterisk', asterisk, () => {
  if ('missing' in asterisk) return;
  let pbx: AsteriskInstance;
  let store: Store;
  let controller: Controller;
  let intruder: WebSocket | null = null;

  beforeAll(async () => {
    pbx = await AsteriskInstance.start(asterisk);
    store = await Store.open(':memory:');
    const config = configSchema.parse({
      ...TEST_DEVICE_DIALS,
      users: [{ id: 'alice', name: 'Alice', extension: '1001' }],
      numbers: [{ number: '+12025550200', user: 'alice' }],
      asterisk: { url: pbx.ariUrl, username: pbx.ariUser, password: pbx.ariPassword, app: 'switchboard', requestTimeoutMs: 3000 },
    });
    controller = await Controller.start({ loaded: { config, file: 'a.yaml', dir: '.', sqlitePath: ':memory:', warnings: [] }, log: silentLogger(), store });
    await waitFor(async () => (await pbx.ari('GET', '/applications/switchboard')).status === 200, 10_000, 'Stasis app registered');
  });

  afterAll(async () => {
    intruder?.close();
    await controller?.stop(1000).catch(() => undefined);
    await store?.close();
    await pbx?.stop();
  });

  it('given another WebSocket subscribes to our app, then the controller refuses calls for good with the reason, and the newcomer gets the next call', async () => {
    const url = `ws://127.0.0.1:${pbx.layout.httpPort}/ari/events?app=switchboard&api_key=${encodeURIComponent(`${pbx.ariUser}:${pbx.ariPassword}`)}`;
    const events: { type: string; channel?: { id: string } }[] = [];
    intruder = new WebSocket(url);
    intruder.on('message', (data) => events.push(JSON.parse(String(data)) as (typeof events)[number]));
    await new Promise<void>((resolve, reject) => {
      intruder!.once('open', () => resolve());
      intruder!.once('error', reject);
    });
    const reason = await waitFor(() => controller.refusingReason(), 10_000, 'the controller to say its app was taken over');
    expect(reason).toMatch(/ApplicationReplaced/);
    expect(controller.disconnectedReason()).toMatch(/ApplicationReplaced/);
    // A call now reaches the newcomer, not us: we did not take the app back.
    const res = await pbx.ari('POST', '/channels', { endpoint: 'Local/+12025550200@from-trunk', context: 'sim-caller', extension: 'talk', priority: 1, timeout: 30, callerId: '+12025550999' });
    expect(res.status).toBe(200);
    const start = await waitFor(() => events.find((e) => e.type === 'StasisStart'), 10_000, 'StasisStart on the newcomer');
    expect(start).toBeTruthy();
    expect(controller.activeCalls).toBe(0);
    expect(controller.refusingReason()).toBe(reason);
    await pbx.ari('DELETE', `/channels/${start.channel!.id}`);
  });
});
