/**
 * The ARI event connection's supervision, with a fake ari-client: we run every reconnect
 * ourselves (ari-client's own gives up after 10 tries and cannot be cancelled by stop()). A real Asterisk outage of a minute is in the
 * soak suite (test/soak/reconnect.soak.ts).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AriEvents, type AriClientLike } from '../../src/backend/asterisk/events.js';
import { backoffDelay } from '../../src/backend/asterisk/backoff.js';
import { silentLogger } from '../../src/log.js';
import { nextEvent, waitFor } from '../support/wait.js';

/** A fake socket: ari-client's `_ws`, with the listeners it attaches. */
class FakeSocket extends EventEmitter {
  readyState = 0;
  terminated = false;
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
    this.emit('close', 1006);
  }
}

class FakeClient extends EventEmitter implements AriClientLike {
  starts = 0;
  sockets: FakeSocket[] = [];
  _ws?: AriClientLike['_ws'];
  constructor(private readonly startResult: (n: number) => 'open' | 'fail' | 'pending') {
    super();
  }
  /** Like ari-client: each start opens a new socket and listens to its error and close. */
  async start(): Promise<void> {
    this.starts++;
    const result = this.startResult(this.starts);
    if (result === 'fail') throw new Error('connection refused');
    const ws = new FakeSocket();
    this.sockets.push(ws);
    this._ws = ws;
    ws.on('error', () => this.emit('ari-client-reconnect'));
    ws.on('close', () => this.emit('ari-client-reconnect'));
    if (result === 'open') {
      ws.readyState = 1;
      queueMicrotask(() => this.emit('WebSocketConnected'));
    }
  }
  stop(): void {}
  ping(): void {}
}

const options = (connect: () => Promise<AriClientLike>) => ({
  url: 'http://127.0.0.1:1',
  username: 'u',
  password: 'p',
  app: 'switchboard',
  log: silentLogger(),
  backoff: { baseMs: 1, maxMs: 4 },
  connect,
});

describe('ARI event connection supervision', () => {
  it('given the socket closes, then we reconnect ourselves and ari-client never sees the close', async () => {
    const client = new FakeClient(() => 'open');
    const events = new AriEvents(options(async () => client));
    let ariClientReconnects = 0;
    client.on('ari-client-reconnect', () => ariClientReconnects++);
    await events.start();
    expect(events.isConnected()).toBe(true);

    const again = nextEvent(events, 'connected', () => true, 3000);
    client.sockets[0]!.terminate();
    expect(events.isConnected()).toBe(false);
    await again;
    expect(client.starts).toBe(2);
    expect(ariClientReconnects).toBe(0);
    await events.stop();
  });

  it('given stop() while a retry is pending, then no retry runs and a socket that opens later is closed at once', async () => {
    const client = new FakeClient((n) => (n === 1 ? 'open' : 'pending'));
    const events = new AriEvents({ ...options(async () => client), backoff: { baseMs: 40, maxMs: 40 } });
    await events.start();
    const retried = nextEvent(events, 'retry', () => true, 3000);
    client.sockets[0]!.terminate();
    await retried;
    await events.stop();
    let connected = false;
    events.on('connected', () => (connected = true));
    // What ari-client's own timer would do after our stop: open a socket anyway.
    await client.start();
    client.emit('WebSocketConnected');
    await waitFor(() => client.sockets.at(-1)!.terminated, 1000, 'late socket closed');
    expect(connected).toBe(false);
    expect(events.isConnected()).toBe(false);
    expect(client.starts).toBe(2); // our pending retry never ran
  });

  it('given a socket that never completes its handshake, then it is terminated after the timeout and retried', async () => {
    const client = new FakeClient((n) => (n < 3 ? 'pending' : 'open'));
    const events = new AriEvents({ ...options(async () => client), timeoutMs: 50 });
    await events.start();
    expect(client.starts).toBe(3);
    expect(client.sockets[0]!.terminated).toBe(true);
    await events.stop();
  });

  it('given Asterisk refuses for many rounds, then we keep retrying past ten and connect when it is back', async () => {
    const client = new FakeClient((n) => (n < 25 ? 'fail' : 'open'));
    const events = new AriEvents(options(async () => client));
    await events.start();
    expect(client.starts).toBe(25);
    await events.stop();
  });

  it('given the API load itself fails, then it is retried until it works', async () => {
    let loads = 0;
    const client = new FakeClient(() => 'open');
    const events = new AriEvents(
      options(async () => {
        if (++loads < 15) throw new Error('ECONNREFUSED');
        return client;
      }),
    );
    await events.start();
    expect(loads).toBe(15);
    await events.stop();
  });

  it('backoff is capped, exponential and jittered, never zero', () => {
    const opts = { baseMs: 250, maxMs: 10_000 };
    expect(backoffDelay(0, opts, () => 0)).toBeGreaterThan(0);
    expect(backoffDelay(0, opts, () => 0.999)).toBeLessThanOrEqual(250);
    expect(backoffDelay(3, opts, () => 0.999)).toBeLessThanOrEqual(2000);
    expect(backoffDelay(50, opts, () => 0.999)).toBeLessThanOrEqual(10_000);
    expect(backoffDelay(50, opts, () => 0.999)).toBeGreaterThan(9000);
    const spread = new Set(Array.from({ length: 20 }, (_, i) => backoffDelay(6, opts, () => i / 20)));
    expect(spread.size).toBeGreaterThan(10);
  });

  it('given ApplicationReplaced, then it stops for good, says why, and never reconnects to take the app back', async () => {
    const client = new FakeClient(() => 'open');
    const events = new AriEvents(options(async () => client));
    await events.start();
    // Every reconnect is scheduled through retry(), which emits 'retry' as it sets its timer.
    const retries: unknown[] = [];
    events.on('retry', (r) => retries.push(r));
    const replaced = nextEvent<string>(events, 'replaced', () => true, 3000);
    client.emit('*', { type: 'ApplicationReplaced', application: 'switchboard' });
    const reason = await replaced;
    expect(reason).toMatch(/taken over by another connection \(ApplicationReplaced\).*does not reconnect/);
    expect(events.replaced()).toBe(reason);
    expect(events.isConnected()).toBe(false);
    expect(events.disconnectedReason()).toBe(reason);
    // The socket's close was handled (the fake emits it inside terminate(), before 'replaced'),
    // and handling it scheduled no retry: no second socket can ever be started.
    expect(client.sockets[0]!.terminated).toBe(true);
    expect(retries).toEqual([]);
    expect(client.starts).toBe(1);
  });
});
