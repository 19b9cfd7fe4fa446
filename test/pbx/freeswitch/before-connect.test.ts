/**
 * On a real FreeSWITCH: a caller who hangs up before FreeSWITCH has read the controller's
 * `connect` on the outbound socket. mod_event_socket then closes the socket with nothing but its
 * goodbye notice (mod_event_socket.c, read_packet: the channel is down and no linger was asked
 * for, so the wait for the first command fails; listener_run logs "Socket Error!", then
 * send_disconnect and close_socket). The channel data
 * in the connect reply is the only thing that names the call: the controller cannot log it, and
 * must keep nothing of it. The tap holds the controller's `connect` until the caller is gone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCENARIO_CONFIG } from '../../scenarios/suite.js';
import { waitFor } from '../../support/wait.js';
import { describePbx } from '../support/locate.js';
import { locateFreeswitch, type FreeswitchInstall } from './locate.js';
import { RealFreeswitchHarness } from './harness.js';

const found = locateFreeswitch();

describePbx('a caller gone before FreeSWITCH answers connect (real FreeSWITCH)', found, () => {
  let h: RealFreeswitchHarness;
  beforeAll(async () => {
    h = new RealFreeswitchHarness(found as FreeswitchInstall, { tap: true });
    await h.start(SCENARIO_CONFIG);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('given the caller hangs up before FreeSWITCH has read connect, then FreeSWITCH closes the socket with no channel data and the controller keeps nothing: no session, no row, no channel', async () => {
    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 50 });
    h.tap.holdConnect = true;
    const conns = h.tap.conns.size;
    const call = await h.placeCall({ from: '+12025550999', to: '+12025550200' });
    await h.hangupCaller(call);
    await waitFor(() => !h.view.live.has(call.callId), 5000, 'the controlled leg gone');
    h.tap.release();
    const [id] = await waitFor(() => [...h.tap.conns.entries()].slice(conns).find(([, c]) => c.fsClosed && c.controllerClosed), 5000, 'both sides of the socket closed');
    // No channel data: only mod_event_socket's goodbye (send_disconnect) before it closed.
    expect(h.tap.records.filter((r) => r.conn === id && r.kind === 'recv').map((r) => r.type)).toEqual(['text/disconnect-notice']);
    // The verified cause, in FreeSWITCH's own log.
    const log = fs.readFileSync(path.join(h.fs.dir, 'log/freeswitch.log'), 'utf8');
    expect(log).toMatch(new RegExp(`^${call.callId} .*\\[CRIT\\] mod_event_socket\\.c:\\d+ Socket Error!$`, 'm'));
    await waitFor(() => h.controller.activeCalls === 0, 3000, 'no session in the controller');
    expect(await h.hasRow(call.callId)).toBe(false);
    await waitFor(() => h.live().channels === 0, 3000, 'no channel left');

    // The controller goes on taking calls.
    const next = await h.placeCall({ from: '+12025550999', to: '+12025550200' });
    await h.waitForAnswer(next);
    await h.hangupCaller(next);
    expect((await h.waitForRecord(next)).outcome).toBe('answered');
  });
});
