/**
 * The ARI event connection's supervision, with a fake ari-client: ari-client gives up after 10
 * reconnect tries (WebSocketMaxRetries); we do not. A real Asterisk outage of a minute is in the
 * soak suite (test/soak/reconnect.soak.ts).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AriEvents, type AriClientLike } from '../../src/backend/asterisk/events.js';
import { backoffDelay } from '../../src/backend/asterisk/backoff.js';
import { silentLogger } from '../../src/log.js';
import { nextEvent } from '../support/wait.js';

class FakeClient extends EventEmitter implements AriClientLike {
  starts = 0;
  constructor(private readonly startResult: (n: number) => 'open' | 'fail') {
    super();
  }
  async start(): Promise<void> {
    this.starts++;
    if (this.startResult(this.starts) === 'fail') throw new Error('connection refused');
    queueMicrotask(() => this.emit('WebSocketConnected'));
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
  it('given ari-client gives up reconnecting (WebSocketMaxRetries), then we start it again and get connected', async () => {
    const client = new FakeClient(() => 'open');
    const events = new AriEvents(options(async () => client));
    await events.start();
    expect(events.isConnected()).toBe(true);

    client.emit('WebSocketReconnecting', new Error('socket closed'));
    expect(events.isConnected()).toBe(false);
    const again = nextEvent(events, 'connected', () => true, 3000);
    client.emit('WebSocketMaxRetries', new Error('gave up'));
    await again;
    expect(client.starts).toBe(2);
    expect(events.isConnected()).toBe(true);
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
});
