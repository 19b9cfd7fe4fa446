/**
 * On a real FreeSWITCH: the shipped dialplan's fail-safe after `socket` (no controller), voicemail
 * leaving a real message file, and issue 11 item 6 (the call ends when voicemail does, even when the
 * controller has stopped meanwhile, instead of falling through to the fail-safe).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EslEvent } from '../../../src/esl/protocol.js';
import { SCENARIO_CONFIG } from '../../scenarios/suite.js';
import { waitFor } from '../../support/wait.js';
import { describePbx } from '../support/locate.js';
import { locateFreeswitch, type FreeswitchInstall } from './locate.js';
import { FreeswitchInstance, freePort } from './instance.js';
import { RealFreeswitchHarness, SwitchView } from './harness.js';
import { wavSeconds } from './prompts.js';
import type { EslClient } from './esl-client.js';

const found = locateFreeswitch();

/** The messages (duration in seconds) stored for a mailbox. */
function messages(dir: string): number[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^msg_.*\.wav$/.test(f)).map((f) => wavSeconds(path.join(dir, f)));
}

describePbx('fail-safe after socket, with no controller (real FreeSWITCH)', found, () => {
  let inst: FreeswitchInstance;
  let carrier: EslClient;
  const view = new SwitchView();
  beforeAll(async () => {
    // Nothing listens on this port: `socket` is refused at once, as when the controller is down.
    inst = await FreeswitchInstance.start(found as FreeswitchInstall, { socketPort: await freePort(), extraUsers: ['9000'] });
    carrier = await inst.esl();
    carrier.on('event', (ev: EslEvent) => view.on(ev));
    await carrier.subscribe(['CHANNEL_CREATE', 'CHANNEL_EXECUTE', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_HANGUP', 'CHANNEL_DESTROY']);
  });
  afterAll(async () => {
    carrier?.close();
    await inst?.stop();
  });

  it('given the controller is down, then the company phone is tried, the company mailbox records a message longer than zero, and no channel is left', async () => {
    const caller = randomUUID();
    await carrier.bgapi(`originate {origination_uuid=${caller},origination_caller_id_number=+12025550999}loopback/+12025550200/public &playback(tone_stream://%(60000,0,440))`);
    await waitFor(() => view.vm.find((v) => v.mailbox === '9000'), 10_000, 'fail-safe voicemail 9000');
    const apps = view.executed.map((e) => e.app);
    expect(apps).toContain('socket');
    expect(view.executed.some((e) => e.app === 'bridge' && e.data.includes('sofia/gateway/carrier/+12025550100'))).toBe(true);
    // The dialplan's `hangup` after voicemail ends it: max-record-len is 4 s here.
    await waitFor(() => view.live.size === 0, 20_000, 'every channel gone');
    const msgs = await waitFor(() => (messages(inst.mailboxDir('9000')).length ? messages(inst.mailboxDir('9000')) : null), 5000, 'message file');
    expect(msgs.length).toBe(1);
    expect(msgs[0]).toBeGreaterThan(0);
  });
});

describePbx('voicemail through the controller (real FreeSWITCH)', found, () => {
  let h: RealFreeswitchHarness;
  beforeAll(async () => {
    h = new RealFreeswitchHarness(found as FreeswitchInstall);
    await h.start(SCENARIO_CONFIG);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('given the controller stops while the caller is in voicemail, then the message is kept and the call ends when voicemail does, without the fail-safe', async () => {
    h.setDevice({ endpoint: '1001' }, { kind: 'busy' });
    h.setDevice({ endpoint: '1002' }, { kind: 'busy' });
    const call = await h.placeCall({ from: '+12025550999', to: '+12025550200' });
    const r = await h.waitForRecord(call);
    expect(r.outcome).toBe('voicemail');
    await waitFor(() => h.voicemails().includes('1001'), 5000, 'voicemail 1001 started');
    await h.drain(1000);
    await waitFor(() => h.live().channels === 0, h.voicemailMs + 5000, 'no channel left after voicemail');
    const after = h.view.executed.filter((e) => e.uuid === call.callId).map((e) => e.app);
    expect(after).not.toContain('log'); // the fail-safe's first action
    expect(after.filter((a) => a === 'voicemail')).toHaveLength(1);
    const msgs = messages(h.fs.mailboxDir('1001'));
    expect(msgs.length).toBe(1);
    expect(msgs[0]).toBeGreaterThan(0);
  });
});
