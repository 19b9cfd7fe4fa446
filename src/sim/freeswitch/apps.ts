/**
 * Dialplan applications the simulator runs on a controlled channel. Each returns when the real
 * application would return (voicemail: when the caller leaves; bridge: when the bridge ends).
 */
import type { AppRunner } from './host.js';
import { runBridge } from './bridge.js';
import { answer } from './answer.js';

/** Run one application on the runner's channel. Unknown applications do nothing. */
export async function runApp(runner: AppRunner, app: string, arg: string): Promise<void> {
  const { sim, ch } = runner;
  switch (app) {
    case 'set':
    case 'export': {
      const eq = arg.indexOf('=');
      if (eq <= 0) return;
      const name = arg.slice(0, eq);
      const value = arg.slice(eq + 1);
      if (value === '' || value === '_undef_') ch.vars.delete(name);
      else ch.vars.set(name, value);
      return;
    }
    case 'unset':
      ch.vars.delete(arg);
      return;
    case 'ring_ready':
      if (ch.answerState === 'ringing' && !ch.ringReady) {
        ch.ringReady = true;
        sim.emitEvent(ch, 'CHANNEL_PROGRESS');
      }
      return;
    case 'pre_answer':
      if (ch.answerState === 'ringing') {
        ch.answerState = 'early';
        ch.callState = 'EARLY';
        sim.emitEvent(ch, 'CHANNEL_PROGRESS_MEDIA');
      }
      return;
    case 'answer':
      answer(runner);
      return;
    case 'hangup':
      sim.hangupChannel(ch, arg.trim() || 'NORMAL_CLEARING');
      return;
    case 'bridge':
      await runBridge(runner, arg);
      return;
    case 'voicemail':
      await voicemail(runner, arg);
      return;
    case 'sleep':
      await untilHangupOr(runner, Number(arg) || 0);
      return;
    default:
      // playback, log, park and the rest: no media here, they complete at once.
      return;
  }
}

/** Resolve after `ms`, or earlier when the channel hangs up. */
function untilHangupOr(runner: AppRunner, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = runner.sim.later(ms, () => {
      off();
      resolve();
    });
    const off = runner.ch.whenHungUp(() => {
      runner.sim.cancel(t);
      resolve();
    });
  });
}

/**
 * `voicemail <profile> <domain> <mailbox>`. It does NOT answer (surprise 9, trace b4): a caller not
 * answered before stays in early media. The message ends after voicemailMaxMs (the caller stays on).
 */
async function voicemail(runner: AppRunner, arg: string): Promise<void> {
  const { sim, ch } = runner;
  const [profile = '', domain = '', mailbox = ''] = arg.trim().split(/\s+/);
  if (ch.answerState === 'ringing') {
    ch.answerState = 'early';
    ch.callState = 'EARLY';
    sim.emitEvent(ch, 'CHANNEL_PROGRESS_MEDIA');
  }
  const record = {
    uuid: ch.uuid,
    profile,
    domain,
    mailbox,
    answered: ch.answerState === 'answered',
    from: ch.callerNumber,
    to: ch.destination,
    at: new Date().toISOString(),
    messageSeconds: null as number | null,
  };
  sim.recordVoicemail(record);
  const maxMs = sim.opts.voicemailMaxMs ?? 30_000;
  const started = Date.now();
  await untilHangupOr(runner, maxMs);
  // mod_voicemail keeps a message only from min-record-len on (3 s by default; here at most half the limit).
  const ms = Date.now() - started;
  if (ms >= Math.min(3000, maxMs / 2)) record.messageSeconds = ms / 1000;
  // mod_voicemail says goodbye and returns WITHOUT hanging up (issue 11 item 6, seen on the real
  // 1.10.12): under `socket ... async` the channel is parked again and waits for the next command.
}
