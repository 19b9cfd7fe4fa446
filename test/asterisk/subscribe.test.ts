import { describe, expect, it } from 'vitest';
import { AriHttpError } from '../../src/errors.js';
import { batchSources, MAX_SOURCES_BYTES, subscribeAll } from '../../src/backend/asterisk/subscribe.js';

const sources = (n: number) => Array.from({ length: n }, (_, i) => [`deviceState:PJSIP/${20000 + i}`, `endpoint:PJSIP/${20000 + i}`]).flat();

/** A fake ARI that behaves as Asterisk does: request line over 4,095 bytes refused; unknown endpoints stop the request (422). */
function fakeAri(known: (source: string) => boolean) {
  const subscribed = new Set<string>();
  const lines: number[] = [];
  return {
    subscribed,
    lines,
    async request<T>(method: string, path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
      const line = `${method} /ari${path}?eventSource=${encodeURIComponent(String(query.eventSource))} HTTP/1.1\r\n`;
      lines.push(line.length);
      if (line.length >= 4096) throw new AriHttpError(method, path, 400, 'Request line too long');
      for (const s of String(query.eventSource).split(',')) {
        if (!known(s)) throw new AriHttpError(method, path, 422, '{"message":"Event source does not exist"}');
        subscribed.add(s);
      }
      return {} as T;
    },
  };
}

describe('subscribing the app to many event sources (Asterisk: 4,095-byte request line, 422 stops a request)', () => {
  it('given 400 phones, then every batch stays under the line limit and every source is subscribed in order', async () => {
    const all = sources(400);
    const batches = batchSources(all);
    expect(batches.flat()).toEqual(all);
    for (const b of batches) expect(encodeURIComponent(b.join(',')).length).toBeLessThanOrEqual(MAX_SOURCES_BYTES);
    const ari = fakeAri(() => true);
    expect(await subscribeAll(ari, 'switchboard', all)).toEqual([]);
    expect(ari.subscribed.size).toBe(800);
    expect(Math.max(...ari.lines)).toBeLessThan(4096);
  });

  it('given one endpoint the PBX does not define, then only its source is refused and the phones after it are still subscribed', async () => {
    const all = sources(300);
    const ari = fakeAri((s) => s !== 'endpoint:PJSIP/20007');
    expect(await subscribeAll(ari, 'switchboard', all)).toEqual(['endpoint:PJSIP/20007']);
    expect(ari.subscribed.size).toBe(599);
    expect(ari.subscribed.has('deviceState:PJSIP/20299')).toBe(true);
  });

  it('given any other error, then it is thrown (the caller logs it and keeps the states it has)', async () => {
    const ari = { request: <T>(): Promise<T> => Promise.reject(new AriHttpError('POST', '/x', 404, 'Application not found')) };
    await expect(subscribeAll(ari, 'switchboard', sources(3))).rejects.toThrow(/404/);
  });

  it('given no source, then no request is made', async () => {
    const ari = fakeAri(() => true);
    expect(await subscribeAll(ari, 'switchboard', [])).toEqual([]);
    expect(ari.lines).toEqual([]);
  });
});
