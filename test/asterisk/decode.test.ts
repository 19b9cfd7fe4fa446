/**
 * The pure ARI event decoder against the frames a real Asterisk 22 sent (asterisk-reference
 * traces), and against malformed frames: every frame decodes, nothing throws.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeEvent, type CallEvent } from '../../src/backend/asterisk/decode.js';
import type { AriEvent } from '../../src/backend/asterisk/events.js';
import { describeShared, sharedPath } from '../support/shared.js';

/** Every ARI event of every recorded trace. */
function recordedEvents(): { trace: string; event: AriEvent }[] {
  const dir = sharedPath('asterisk-reference', 'traces');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((trace) =>
      readFileSync(`${dir}/${trace}`, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { kind: string; event?: AriEvent })
        .filter((r) => r.kind === 'event' && r.event)
        .map((r) => ({ trace, event: r.event! })),
    );
}

describeShared('ARI event decoder (recorded frames)', () => {
  const events = recordedEvents();
  const decoded = events.map(({ trace, event }) => ({ trace, event, ev: decodeEvent(event) }));
  const of = <T extends CallEvent['type']>(t: T) => decoded.filter((d) => d.ev.type === t) as { trace: string; event: AriEvent; ev: Extract<CallEvent, { type: T }> }[];

  it('given the recordings, then they hold the events a call reacts to', () => {
    expect(events.length).toBeGreaterThan(100);
    for (const t of ['stasis-start', 'stasis-end', 'dial', 'hangup-request', 'destroyed'] as const) expect(of(t).length, t).toBeGreaterThan(0);
  });

  it('given a recorded StasisStart, then it names the channel and its args, and replaces nothing', () => {
    for (const { event, ev } of of('stasis-start')) {
      expect(ev.channelId).toBe((event.channel as { id: string }).id);
      expect(ev.args).toEqual(event.args);
      expect(ev.replaces).toBeNull();
    }
  });

  it('given a recorded Dial, then it is about the dialled channel (peer) with its dialstatus or null for the first, empty one', () => {
    for (const { event, ev } of of('dial')) {
      expect(ev.channelId).toBe((event.peer as { id: string }).id);
      expect(ev.dialstatus).toBe(event.dialstatus === '' ? null : event.dialstatus);
    }
    expect(of('dial').map((d) => d.ev.dialstatus)).toEqual(expect.arrayContaining([null, 'RINGING', 'ANSWER', 'BUSY']));
  });

  it('given a recorded ChannelDestroyed, then it carries the Q.850 cause as a number', () => {
    for (const { event, ev } of of('destroyed')) {
      expect(ev.channelId).toBe((event.channel as { id: string }).id);
      expect(ev.cause).toBe(event.cause);
      expect(typeof ev.cause).toBe('number');
    }
  });

  it('given the other recorded events (ChannelVarset, ChannelStateChange, ...), then they are ignored by name', () => {
    const ignored = of('ignored').map((d) => d.ev.name);
    expect(ignored).toEqual(expect.arrayContaining(['ChannelVarset', 'ChannelStateChange', 'ChannelDialplan']));
    expect(ignored).not.toContain('StasisStart');
  });
});

it('given a transfer target replacing the answering phone, then its StasisStart names the replaced channel', () => {
  const ev = decodeEvent({ type: 'StasisStart', args: [], channel: { id: 'target' }, replace_channel: { id: 'phone' } });
  expect(ev).toEqual({ type: 'stasis-start', channelId: 'target', args: [], replaces: 'phone' });
});

it('given blind and attended transfers, then they decode with the bridge and where to', () => {
  expect(decodeEvent({ type: 'BridgeBlindTransfer', bridge: { id: 'b1' }, exten: '2000', context: 'internal' })).toEqual({ type: 'transfer', bridgeId: 'b1', attended: false, exten: '2000', context: 'internal' });
  expect(decodeEvent({ type: 'BridgeAttendedTransfer', bridge: { id: 'b1' } })).toEqual({ type: 'transfer', bridgeId: 'b1', attended: true, exten: null, context: null });
});

it.each([
  ['null', null],
  ['no type', { channel: { id: 'x' } } as unknown as AriEvent],
  ['a channel without id', { type: 'ChannelDestroyed', channel: {}, cause: 16 }],
  ['a non-numeric cause', { type: 'ChannelHangupRequest', channel: { id: 'x' }, cause: '16' }],
  ['a Dial without peer', { type: 'Dial', dialstatus: 'ANSWER' }],
  ['args that are not an array', { type: 'StasisStart', channel: { id: 'x' }, args: 'inbound' }],
])('given a malformed frame (%s), then it decodes without throwing', (_what, frame) => {
  const ev = decodeEvent(frame as AriEvent);
  expect(ev.type).toMatch(/^(ignored|hangup-request|stasis-start)$/);
  if (ev.type === 'hangup-request') expect(ev.cause).toBeNull();
  if (ev.type === 'stasis-start') expect(ev.args).toEqual([]);
});

describe('press-1 confirmation events (recorded shapes: test/fixtures/asterisk-real/confirm-calls.jsonl)', () => {
  it('given ChannelDtmfReceived, then a dtmf event on its channel; a digit that is not a key is ignored', () => {
    expect(decodeEvent({ type: 'ChannelDtmfReceived', digit: '1', duration_ms: 100, channel: { id: 'leg-1' } })).toEqual({ type: 'dtmf', channelId: 'leg-1', digit: '1' });
    expect(decodeEvent({ type: 'ChannelDtmfReceived', digit: '1; DROP', channel: { id: 'leg-1' } }).type).toBe('ignored');
    expect(decodeEvent({ type: 'ChannelDtmfReceived', channel: { id: 'leg-1' } }).type).toBe('ignored');
  });

  it('given PlaybackFinished on a channel, then playback-finished names the channel from target_uri; a bridge playback is ignored', () => {
    expect(decodeEvent({ type: 'PlaybackFinished', playback: { id: 'p1', target_uri: 'channel:leg-1', state: 'done' } })).toEqual({ type: 'playback-finished', channelId: 'leg-1', playbackId: 'p1' });
    expect(decodeEvent({ type: 'PlaybackFinished', playback: { id: 'p1', target_uri: 'bridge:b1' } }).type).toBe('ignored');
    expect(decodeEvent({ type: 'PlaybackFinished', playback: 'junk' }).type).toBe('ignored');
  });
});
