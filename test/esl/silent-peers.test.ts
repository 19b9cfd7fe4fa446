/**
 * ESL peers that accept TCP and then say nothing (issue 11 items 5 and 15): an inbound ESL port
 * that never sends its auth request must not hang start-up (it is timed out and retried), and
 * outbound connections that never answer `connect` are closed instead of held forever.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FreeswitchBackend } from '../../src/backend/freeswitch/backend.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { EslSimulator } from '../../src/sim/freeswitch/simulator.js';
import { waitFor } from '../support/wait.js';

/** A TCP server that accepts and never writes; counts the connections it got. */
async function silentServer(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  const held: net.Socket[] = [];
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    held.push(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => held.length,
    close: async () => {
      for (const s of held) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const configFor = (eslPort: number) =>
  configSchema.parse({ backend: 'freeswitch', freeswitch: { listen: '127.0.0.1:0', esl: { host: '127.0.0.1', port: eslPort, password: 'pw' } } });

describe('silent ESL peers', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('given an inbound ESL port that never sends auth/request, then start() returns and the connect is retried', async () => {
    const silent = await silentServer();
    cleanup.push(silent.close);
    const backend = new FreeswitchBackend({ config: configFor(silent.port), log: silentLogger(), replyTimeoutMs: 100 });
    cleanup.push(() => backend.stop());
    const started = backend.start(async () => undefined);
    await waitFor(() => silent.accepted() >= 2, 10_000, 'a second connect after the first timed out');
    await started;
    expect(backend.isConnected()).toBe(false);
  });

  it('given 50 outbound connections that never answer connect, then every one is closed after the timeout', async () => {
    const sim = await EslSimulator.start({ password: 'pw', socketTarget: { host: '127.0.0.1', port: 1 } });
    cleanup.push(() => sim.stop());
    const backend = new FreeswitchBackend({ config: configFor(sim.eslPort), log: silentLogger(), replyTimeoutMs: 200 });
    cleanup.push(() => backend.stop());
    await backend.start(async () => undefined);
    const sockets = await Promise.all(
      Array.from({ length: 50 }, () => new Promise<net.Socket>((resolve) => {
        const s = net.connect(backend.listenPort, '127.0.0.1', () => resolve(s));
        s.on('error', () => undefined);
        s.resume(); // read (and drop) what the backend sends, so its close is seen
      })),
    );
    let closed = 0;
    for (const s of sockets) s.once('close', () => closed++);
    await waitFor(() => closed === 50, 10_000, `all 50 closed (closed: ${closed})`);
  });
});
