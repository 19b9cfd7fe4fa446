/**
 * Broken input from the PBX side: events for channels we do not know, events out of order,
 * malformed frames on the WebSocket, and a caller who hangs up before the route is built.
 * None of it may crash the controller, leave a channel behind or lose a call-log row.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsteriskHarness } from '../scenarios/asterisk-harness.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import type { AsteriskBackend } from '../../src/backend/asterisk/backend.js';
import { waitFor } from '../support/wait.js';

describe('hostile or broken PBX input on Asterisk', () => {
  const h = new AsteriskHarness();
  const unhandled: unknown[] = [];
  const onUnhandled = (r: unknown) => unhandled.push(r);
  // A CRM that never answers: the controller waits its timeoutMs, long enough to hang up in.
  const crm = http.createServer(() => undefined);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    await new Promise<void>((r) => crm.listen(0, '127.0.0.1', () => r()));
    const port = (crm.address() as AddressInfo).port;
    await h.start({ ...SCENARIO_CONFIG, contacts: { lookup: { url: `http://127.0.0.1:${port}/owner?phone={caller}`, timeoutMs: 400 } } });
  });
  afterAll(async () => {
    await h.stop();
    crm.closeAllConnections();
    await new Promise<void>((r) => crm.close(() => r()));
    process.off('unhandledRejection', onUnhandled);
  });

  const backend = () => h.controller.backend as AsteriskBackend;

  it('given events for unknown channels, out of order and malformed, then they are ignored and calls still work', async () => {
    const junk: unknown[] = [
      { type: 'ChannelDestroyed', channel: { id: 'nope.1' }, cause: 16 },
      { type: 'Dial', peer: { id: 'nope.2' }, dialstatus: 'ANSWER' },
      { type: 'StasisEnd', channel: { id: 'nope.3' } },
      { type: 'StasisStart', channel: { id: 42 }, args: 'not-an-array' },
      { type: 'StasisStart' },
      { type: 'BridgeBlindTransfer', bridge: { id: 'nope' }, exten: '1' },
      { type: 'ChannelHangupRequest', channel: null },
      { type: 'SomethingNew', channel: { id: 'x' } },
      {},
      null,
    ];
    for (const e of junk) backend().events.emit('event', e);
    // A frame ari-client itself cannot parse: without our guard this throws out of ws's listener.
    const ws = (backend().events as unknown as { client: { _ws?: { emit(ev: string, data: unknown): void } } }).client._ws;
    expect(ws).toBeDefined();
    ws!.emit('message', 'not json at all');
    ws!.emit('message', JSON.stringify({ type: 'EventTypeNobodyKnows', application: 'switchboard' }));

    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 20 });
    h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
    const call = await h.placeCall({ from: '+12025550999', to: '+12025550200', hangupAfterMs: 1200 });
    // The ChannelDestroyed of an already-destroyed leg arriving again must not disturb the call.
    await h.waitForAnswer(call);
    expect((await h.waitForRecord(call)).outcome).toBe('answered');
    expect(unhandled).toEqual([]);
  });

  it('given a caller who hangs up before the route is built, then no leg is rung and the call is abandoned', async () => {
    const before = h.dialed().length;
    const call = await h.placeCall({ from: '+12025550999', to: '+12025550200', hangupAfterMs: 50 });
    const r = await h.waitForRecord(call);
    expect(r.outcome).toBe('abandoned');
    expect(r.legs).toEqual([]);
    expect(h.dialed().length).toBe(before);
    await waitFor(() => h.live().channels === 0, 3000, 'nothing left');
    expect(unhandled).toEqual([]);
  });
});
