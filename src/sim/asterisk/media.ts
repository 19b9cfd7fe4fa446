/**
 * Keys and sound on simulated channels: ChannelDtmfReceived for a key a device presses, and channel
 * playbacks (POST /channels/{id}/play, DELETE /playbacks/{id}) with PlaybackStarted and
 * PlaybackFinished, as a real Asterisk 22 sends them (test/fixtures/asterisk-real/confirm-*.json).
 * A channel plays one media at a time; more requests queue behind it, as on Asterisk's control queue.
 */
import { randomUUID } from 'node:crypto';
import type { SimChannel } from './channels.js';
import type { SimCore } from './core.js';
import { fail, NO_CONTENT, str, type RestResponse, type Router } from './rest/router.js';

/** How long the sounds the product plays last, in ms (beep.gsm: 726 bytes of 33-byte 20-ms frames). */
const SOUND_MS: Record<string, number> = { beep: 440 };
const OTHER_SOUND_MS = 1000;
/** SendDTMF's default tone length; a SIP phone's RFC 2833 key lasts about as long. */
const KEY_MS = 100;

interface SimPlayback {
  id: string;
  media: string;
  channel: SimChannel;
  state: 'queued' | 'playing' | 'done' | 'failed';
  cancel?: () => void;
}

const playbacks = new WeakMap<SimCore, Map<string, SimPlayback>>();
const queues = new WeakMap<SimChannel, SimPlayback[]>();

function table(core: SimCore): Map<string, SimPlayback> {
  let t = playbacks.get(core);
  if (!t) playbacks.set(core, (t = new Map()));
  return t;
}

function json(p: SimPlayback): Record<string, unknown> {
  return { id: p.id, media_uri: p.media, target_uri: `channel:${p.channel.id}`, language: 'en', state: p.state };
}

/** A key pressed on `ch` (the end of the DTMF tone is what Asterisk reports). */
export function emitDtmf(core: SimCore, ch: SimChannel, key: string): void {
  if (ch.destroyed || ch.hangingUp) return;
  core.pbx.emitChannel('ChannelDtmfReceived', ch, { digit: key, duration_ms: KEY_MS });
}

/** Register the playback routes. */
export function playbackRoutes(router: Router, core: SimCore): void {
  const { pbx } = core;
  const play = (channelId: string | undefined, playbackId: string | undefined, media: string | undefined): RestResponse => {
    if (!media) return fail(400, 'Missing parameter media');
    const ch = pbx.channels.get(channelId ?? '');
    if (!ch) return fail(404, 'Channel not found');
    if (!ch.stasisApp) return fail(409, 'Channel not in Stasis application');
    if (!/^(sound|tone|recording|number|digits|characters):/.test(media)) return fail(400, 'Invalid media URI');
    const p: SimPlayback = { id: playbackId || randomUUID(), media, channel: ch, state: 'queued' };
    table(core).set(p.id, p);
    const q = queues.get(ch) ?? [];
    queues.set(ch, q);
    q.push(p);
    if (q.length === 1) pbx.sched.after(0, () => start(core, p));
    // A channel that goes ends its playback as `failed`, just before its ChannelDestroyed (recorded).
    if (q.length === 1) ch.beforeDestroy.push(() => finishAll(core, ch));
    return { status: 201, body: json(p) };
  };
  router.on('POST', '/channels/{channelId}/play', (req) => play(req.path.channelId, str(req.params, 'playbackId'), str(req.params, 'media')));
  router.on('POST', '/channels/{channelId}/play/{playbackId}', (req) => play(req.path.channelId, req.path.playbackId, str(req.params, 'media')));
  router.on('GET', '/playbacks/{playbackId}', (req) => {
    const p = table(core).get(req.path.playbackId ?? '');
    return p ? { status: 200, body: json(p) } : fail(404, 'Playback not found');
  });
  router.on('DELETE', '/playbacks/{playbackId}', (req) => {
    const p = table(core).get(req.path.playbackId ?? '');
    if (!p) return fail(404, 'Playback not found');
    finish(core, p);
    return NO_CONTENT;
  });
}

function start(core: SimCore, p: SimPlayback): void {
  if (p.state !== 'queued' || p.channel.destroyed) return;
  p.state = 'playing';
  core.pbx.emitPlayback('PlaybackStarted', p.channel, json(p));
  const name = p.media.startsWith('sound:') ? p.media.slice(6) : '';
  p.cancel = core.pbx.sched.after(SOUND_MS[name] ?? OTHER_SOUND_MS, () => finish(core, p));
}

function finish(core: SimCore, p: SimPlayback, state: 'done' | 'failed' = 'done'): void {
  if (p.state === 'done' || p.state === 'failed') return;
  p.cancel?.();
  const wasPlaying = p.state === 'playing';
  p.state = state;
  table(core).delete(p.id);
  const q = queues.get(p.channel) ?? [];
  const i = q.indexOf(p);
  if (i >= 0) q.splice(i, 1);
  if (wasPlaying) core.pbx.emitPlayback('PlaybackFinished', p.channel, json(p));
  const next = q[0];
  if (next && !p.channel.destroyed && !p.channel.hangingUp) start(core, next);
}

function finishAll(core: SimCore, ch: SimChannel): void {
  for (const p of [...(queues.get(ch) ?? [])]) finish(core, p, 'failed');
  queues.delete(ch);
}
