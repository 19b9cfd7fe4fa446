/**
 * Asterisk gone for longer than ari-client's patience: its own reconnect would give up after 10
 * tries (about 43 s of backoff). The controller runs its reconnects itself and must keep trying, reconnect when
 * Asterisk is back, and route calls again. Long by nature, so it runs with the soak.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEmitter } from 'node:events';
import { AsteriskHarness } from '../scenarios/asterisk-harness.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import type { AsteriskBackend } from '../../src/backend/asterisk/backend.js';
import { nextEvent, waitFor } from '../support/wait.js';

describe('Asterisk down past ari-client\'s ten reconnect tries', () => {
  const h = new AsteriskHarness();
  beforeAll(() => h.start(SCENARIO_CONFIG));
  afterAll(() => h.stop());

  it('given Asterisk is away until ari-client gives up, when it comes back, then the controller reconnects and routes calls', async () => {
    const port = Number(new URL(h.sim.url).port);
    const events = (h.controller.backend as AsteriskBackend).events as EventEmitter;
    // ari-client alone would have given up here (WebSocketMaxRetries); we run the retries ourselves.
    const pastTen = nextEvent<{ attempt: number }>(events, 'retry', (r) => r.attempt > 10, 120_000);
    await h.sim.stop();
    await pastTen;
    expect(h.controller.backend.isConnected()).toBe(false);

    h.sim = await AriSimulator.start({ port, username: 'switchboard', password: 'test-secret' });
    await waitFor(() => h.sim.connectedApps().includes('switchboard'), 30_000, 'controller reconnected');
    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 20 });
    h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
    const call = await h.placeCall({ from: '+12025550999', to: '+12025550200', hangupAfterMs: 300 });
    expect((await h.waitForRecord(call)).outcome).toBe('answered');
  });
});
