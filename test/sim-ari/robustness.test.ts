/** Stasis failure with no WebSocket (fail-safe route), bad requests, auth, the control API and the session limit. */
import { request, Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { AriSimulator } from '../../src/sim/asterisk/index.js';
import { waitFor } from '../support/wait.js';
import { PASS, rest, startSim, USER } from './helpers.js';

let sim: AriSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('ARI simulator: Stasis failure', () => {
  it('with no WebSocket the call takes the fail-safe route: company phone, then company voicemail', async () => {
    // given no app connected, and a company phone that does not answer
    sim = await startSim({ failsafe: { companyPhone: '+12025550100', companyMailbox: '9000', dialTimeoutMs: 50 } });
    sim.setDevice('PJSIP/+12025550100@carrier', { kind: 'noanswer' });
    // when
    const call = await sim.placeInboundCall({ from: '+12025550111', to: '+15551234' });
    // then
    await waitFor(() => sim?.voicemails().length === 1, 2000, 'fail-safe voicemail');
    expect(sim.failsafeCalls()).toEqual([expect.objectContaining({ channelId: call.channelId, callerNumber: '+12025550111', outcome: 'voicemail', steps: ['Dial(PJSIP/+12025550100@carrier,0)', 'VoiceMail(9000)'] })]);
    expect(sim.voicemails()[0]?.mailbox).toBe('9000');
  });

  it('without a fail-safe configured the call is dropped, as in trace g2', async () => {
    sim = await startSim({});
    await sim.placeInboundCall({ from: '+12025550111', to: '+15551234' });
    await waitFor(() => sim?.channels().length === 0, 2000, 'call dropped');
    expect(sim.failsafeCalls()[0]?.outcome).toBe('hangup');
  });
});

describe('ARI simulator: bad requests', () => {
  it.each([
    ['POST', '/ari/channels', {}, 400],
    ['POST', '/ari/channels', { endpoint: 'garbage' }, 400],
    ['POST', '/ari/channels', { endpoint: 'PJSIP/1001' }, 400],
    ['GET', '/ari/channels/nope', {}, 404],
    ['DELETE', '/ari/channels/nope', {}, 404],
    ['POST', '/ari/channels/nope/answer', {}, 404],
    ['POST', '/ari/bridges', { type: 'bogus' }, 400],
    ['POST', '/ari/bridges/nope/addChannel', { channel: 'x' }, 404],
    ['GET', '/ari/applications/nope', {}, 404],
    ['GET', '/ari/nothing-here', {}, 404],
    ['PUT', '/ari/channels', {}, 405],
    ['POST', '/_sim/devices', {}, 400],
  ])('%s %s %o -> %i', async (method, path, query, status) => {
    sim = await startSim({});
    expect((await rest(sim, method, path, query as Record<string, string>)).status).toBe(status);
  });

  it('answers 400 to a malformed JSON body and 401 without credentials, and keeps serving', async () => {
    sim = await startSim({});
    expect((await rest(sim, 'POST', '/ari/channels', {}, '{not json')).status).toBe(400);
    expect((await fetch(`${sim.url}/ari/channels`)).status).toBe(401);
    expect((await fetch(`${sim.url}/ari/channels?api_key=${USER}:${PASS}`)).status).toBe(200);
    expect((await fetch(`${sim.url}/ari/api-docs/resources.json?api_key=${USER}:${PASS}`)).status).toBe(200);
  });

  it('can be driven through the /_sim control API', async () => {
    sim = await startSim({});
    expect((await rest(sim, 'POST', '/_sim/devices', {}, { dial: 'PJSIP/1001', behaviour: { kind: 'answer', afterMs: 0 } })).status).toBe(204);
    const placed = await rest(sim, 'POST', '/_sim/calls', {}, { from: '+12025550111', to: '+15551234' });
    expect(placed.status).toBe(200);
    await waitFor(() => sim?.channels().length === 0, 2000, 'call dropped (no app)');
    expect((await rest(sim, 'GET', '/_sim/originates')).body[0].dial).toBe('Local/+15551234@from-trunk');
    expect((await rest(sim, 'POST', '/_sim/reset')).status).toBe(204);
    expect((await rest(sim, 'GET', '/_sim/originates')).body).toEqual([]);
  });
});

describe('ARI simulator: HTTP session limit', () => {
  it('parks the connection past maxHttpSessions until one closes', async () => {
    // given a limit of 3 and 3 open keep-alive connections
    sim = await startSim({ maxHttpSessions: 3 });
    const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}` };
    const agents = Array.from({ length: 4 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    const get = (agent: Agent) => new Promise<number>((resolve, reject) => {
      const req = request(`${sim?.url}/ari/channels`, { agent, headers: auth }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    try {
      for (const a of agents.slice(0, 3)) expect(await get(a)).toBe(200);
      // when a 4th connection sends a request
      let answered = false;
      const fourth = get(agents[3] as Agent).then((s) => {
        answered = true;
        return s;
      });
      // then it does not answer while the others stay open (short bounded wait)
      await waitFor(() => sim?.openHttpSessions() === 4, 2000, '4 connections');
      await new Promise((r) => setTimeout(r, 100));
      expect(answered).toBe(false);
      expect(sim.peakHttpSessions()).toBe(4);
      // and answers once one connection closes
      agents[0]?.destroy();
      expect(await fourth).toBe(200);
    } finally {
      for (const a of agents) a.destroy();
    }
  });
});
