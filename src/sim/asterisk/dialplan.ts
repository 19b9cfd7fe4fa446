/**
 * The dialplan the simulator knows (context names settable):
 * - trunk (`from-trunk`): `_[+0-9]X.` -> Stasis(<app>[,args]); when Stasis fails (no WebSocket, trace g2)
 *   the FAIL-SAFE route: dial the company phone through the trunk, then the company voicemail.
 * - voicemail (`switchboard-voicemail`): any extension -> VoiceMail(exten), recorded in `voicemails()`.
 * - failsafe (`switchboard-failsafe`): the fail-safe route, also entered by a controller that drains.
 * - caller (`sim-caller`): talk / quiet, the PSTN side of a simulated inbound call.
 */
import type { SimChannel } from './channels.js';
import { ariTimestamp } from './clock.js';
import type { SimCore } from './core.js';
import { answered } from './answer.js';
import type { FailsafeEntry, VoicemailEntry } from './types.js';

/** The pattern of the trunk context: `_[+0-9]X.` (at least three characters). */
const TRUNK_PATTERN = /^[+0-9][0-9].+$/;

/** Run `context,exten,1` on a channel that is not (or no longer) in Stasis. */
export function runLocalContext(core: SimCore, ch: SimChannel, context: string, exten: string): void {
  const { contexts } = core.settings;
  if (ch.destroyed || ch.hangingUp) return;
  ch.dialplan = { context, exten, priority: 1, app_name: '', app_data: '' };
  if (context === contexts.trunk) return runTrunk(core, ch, exten);
  if (context === contexts.voicemail) {
    voicemail(core, ch, exten);
    return;
  }
  if (context === contexts.failsafe) return failsafe(core, ch, exten);
  if (context === contexts.sim && exten === 'answer') {
    // A transfer target that picks up at once and stays (the reference `[sim]` answer extension).
    core.pbx.runApp(ch, 'Answer', '', 1);
    core.pbx.setState(ch, 'Up');
    core.pbx.runApp(ch, 'Wait', '300', 2);
    return;
  }
  if (context === contexts.caller) {
    // The simulated PSTN caller: plays a prompt in a loop (talk) or stays silent (quiet) until hung up.
    ch.dialplan = exten === 'talk'
      ? { context, exten, priority: 1, app_name: 'Playback', app_data: 'demo-congrats' }
      : { context, exten, priority: 1, app_name: 'Wait', app_data: '300' };
    return;
  }
  core.pbx.log.push(`${ch.id}: no extension ${exten}@${context}: hangup`);
  core.pbx.sched.after(0, () => core.pbx.hangup(ch, { cause: 1 }));
}

/** The trunk context: hand the call to the Stasis app, or take the fail-safe route. */
function runTrunk(core: SimCore, ch: SimChannel, exten: string): void {
  const { pbx, settings } = core;
  if (!TRUNK_PATTERN.test(exten)) {
    pbx.log.push(`${ch.id}: ${exten} does not match the trunk pattern: hangup`);
    pbx.hangup(ch, { cause: 1 });
    return;
  }
  const { stasisArgs } = settings;
  const args = stasisArgs === 'none' ? [] : stasisArgs === 'exten' ? [exten] : stasisArgs === 'shipped' ? [exten, `callerpres=${ch.callerPres}`] : stasisArgs;
  ch.dialplan = { context: settings.contexts.trunk, exten, priority: 2, app_name: 'Stasis', app_data: '' };
  if (pbx.enterStasis(ch, settings.app, args)) return;
  failsafe(core, ch, exten);
}

/** POST /channels/{id}/continue: leave Stasis and run the dialplan (default: the next priority, i.e. Hangup). */
export function continueInDialplan(core: SimCore, ch: SimChannel, context?: string, exten?: string): void {
  core.pbx.leaveStasis(ch);
  if (!context && !exten) {
    core.pbx.sched.after(0, () => core.pbx.hangup(ch, { cause: 16 }));
    return;
  }
  const ctx = context || ch.dialplan.context;
  const ext = exten || ch.dialplan.exten;
  core.pbx.sched.after(0, () => runLocalContext(core, ch, ctx, ext));
}

/** Answer a channel; the Local partner (the PSTN half of an inbound call) goes Up with it. */
export function answerChannel(core: SimCore, ch: SimChannel): void {
  if (ch.state === 'Up') return;
  core.pbx.setState(ch, 'Up');
  const p = ch.partner;
  if (p && !p.destroyed && p.state !== 'Up') answered(core, p);
}

/** VoiceMail(mailbox): answers, records a message until the caller hangs up or the time limit. */
export function voicemail(core: SimCore, ch: SimChannel, mailbox: string): VoicemailEntry {
  const { pbx, settings } = core;
  answerChannel(core, ch);
  ch.dialplan = { context: settings.contexts.voicemail, exten: mailbox, priority: 1, app_name: 'VoiceMail', app_data: `${mailbox}@default,u` };
  const started = Date.now();
  const entry: VoicemailEntry = { mailbox, callerNumber: ch.caller.number, channelId: ch.id, startedAt: ariTimestamp() };
  pbx.voicemails.push(entry);
  pbx.log.push(`${ch.id}: VoiceMail(${mailbox}) from ${JSON.stringify(ch.caller.number)}`);
  ch.onDestroy.push(() => {
    entry.endedAt = ariTimestamp();
    entry.durationMs = Date.now() - started;
  });
  pbx.later(ch, settings.voicemailMaxMs, () => pbx.hangup(ch, { cause: 16 }));
  pbx.emitter.emit('voicemail', entry);
  return entry;
}

/** Stasis() failed: dial the company phone through the trunk, then the company voicemail. */
function failsafe(core: SimCore, ch: SimChannel, exten: string): void {
  const { pbx, settings, devices } = core;
  const fs = settings.failsafe;
  const entry: FailsafeEntry = {
    channelId: ch.id, pstnChannelId: ch.partner?.id, callerNumber: ch.caller.number, exten, app: settings.app,
    at: ariTimestamp(), steps: [], outcome: 'pending',
  };
  pbx.failsafe.push(entry);
  pbx.log.push(`${ch.id}: STASISSTATUS=FAILED -> fail-safe route`);
  pbx.emitter.emit('failsafe', entry);
  const toVoicemail = () => {
    if (ch.destroyed || ch.hangingUp) return;
    if (fs.companyMailbox) {
      entry.steps.push(`VoiceMail(${fs.companyMailbox})`);
      entry.outcome = 'voicemail';
      voicemail(core, ch, fs.companyMailbox);
      return;
    }
    entry.outcome = 'hangup';
    pbx.hangup(ch, { cause: 16 });
  };
  if (!fs.companyPhone) return toVoicemail();
  const dial = `PJSIP/${fs.companyPhone}@${fs.trunkEndpoint}`;
  entry.steps.push(`Dial(${dial},${Math.round(fs.dialTimeoutMs / 1000)})`);
  pbx.originates.push({ dial, callerId: ch.caller.number, at: ariTimestamp(), context: settings.contexts.trunk });
  const b = devices.forPjsip(dial);
  if (b.kind === 'answer' || b.kind === 'hangup-after-answer') {
    pbx.later(ch, b.afterMs ?? 0, () => {
      entry.outcome = 'answered';
      answerChannel(core, ch);
      if (b.kind === 'hangup-after-answer') pbx.later(ch, b.talkMs, () => pbx.hangup(ch, { cause: 16 }));
    });
    return;
  }
  if (b.kind === 'noanswer' || b.kind === 'dead-contact') {
    pbx.later(ch, fs.dialTimeoutMs, toVoicemail);
    return;
  }
  pbx.later(ch, 'afterMs' in b ? b.afterMs ?? 0 : 0, toVoicemail);
}
