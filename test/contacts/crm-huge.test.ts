/**
 * A CRM that answers too much (issue 11 item 2): the look-up stops reading at its size cap and at
 * its deadline, and the connection is closed, so a server streaming gigabytes costs the
 * controller at most the cap (not 1.3 GB of heap, or a V8 fatal error).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmLookup } from '../../src/contacts/crm.js';
import { waitFor } from '../support/wait.js';

const CHUNK = Buffer.alloc(64 * 1024, 0x20); // JSON whitespace: a body that is never complete
let server: Server;
let base: string;
/** Bytes the server's socket accepted per request, and whether the client has closed it. */
const sent = new Map<string, { bytes: number; closed: boolean }>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const key = new URL(req.url ?? '/', 'http://x').searchParams.get('phone') ?? '';
    const tally = { bytes: 0, closed: false };
    sent.set(key, tally);
    res.on('close', () => (tally.closed = true));
    res.writeHead(200, { 'content-type': 'application/json' });
    if (key === '+12025550111') res.write('{"owner":"bob", "pad":"'); // a JSON prefix, then endless padding
    // As fast as the socket takes it, without bound, until the client goes away.
    const pump = () => {
      while (!tally.closed && tally.bytes < 4 * 1024 ** 3) {
        tally.bytes += CHUNK.length;
        if (!res.write(CHUNK)) return void res.once('drain', pump);
      }
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('a CRM that streams an endless answer', () => {
  it.each([
    ['fast, past the size cap before the deadline', '+12025550110', 2000],
    ['with a JSON prefix', '+12025550111', 2000],
  ])('given %s, then the caller is unknown, the reason is "too large" and the download stops at the cap', async (_what, phone, timeoutMs) => {
    const warnings: { obj: object; msg: string }[] = [];
    const lookup = createCrmLookup({ url: `${base}/owner?phone={caller}`, timeoutMs }, { warn: (obj, msg) => void warnings.push({ obj, msg }) });
    const heapBefore = process.memoryUsage().heapUsed;
    expect(await lookup(phone)).toBeNull();
    expect(warnings[0]?.obj).toMatchObject({ reason: 'the answer is too large' });
    const tally = await waitFor(() => (sent.get(phone)?.closed ? sent.get(phone) : null), 5000, 'connection closed by the look-up');
    // 64 KB read, plus what the kernel's loopback buffers held: a few MB at most, never hundreds.
    expect(tally.bytes).toBeLessThan(32 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('given a slow endless answer, then the look-up gives up at the deadline and closes the connection', async () => {
    const warnings: { obj: object; msg: string }[] = [];
    // A 10 ms deadline against an answer that keeps coming: the deadline, not the cap, ends it.
    const lookup = createCrmLookup({ url: `${base}/owner?phone={caller}`, timeoutMs: 10 }, { warn: (obj, msg) => void warnings.push({ obj, msg }) });
    expect(await lookup('+12025550112')).toBeNull();
    expect(String((warnings[0]?.obj as { reason?: string }).reason)).toMatch(/timed out|too large/);
    await waitFor(() => sent.get('+12025550112')?.closed, 5000, 'connection closed at the deadline');
  });
});
