import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  apiResponse,
  command,
  commandReply,
  connectReply,
  disconnectNotice,
  EslParser,
  eventJson,
  eventPlain,
  frameToEvent,
  lingerNotice,
  urlDecode,
  urlEncode,
  type EslFrame,
} from '../../src/esl/protocol.js';
import { SwitchboardError } from '../../src/errors.js';
import { describeShared, sharedPath } from '../support/shared.js';

const JOB = 'fcd06160-e51c-4fee-ad78-037a762e6877';

function parseAll(text: string | Buffer, decode = true): EslFrame[] {
  return new EslParser(decode).push(text);
}

describe('ESL codec: frames', () => {
  it.each([
    ['command/reply', commandReply('+OK accepted'), { 'Content-Type': 'command/reply', 'Reply-Text': '+OK accepted' }, ''],
    ['api/response', apiResponse('+OK\n'), { 'Content-Type': 'api/response', 'Content-Length': '4' }, '+OK\n'],
    ['disconnect notice', disconnectNotice('u1'), { 'Content-Disposition': 'disconnect', 'Controlled-Session-UUID': 'u1' }, 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n'],
    ['linger notice', lingerNotice('u1', 'sofia/x', -1), { 'Content-Disposition': 'linger', 'Linger-Time': '-1', 'Content-Length': '0' }, ''],
  ])('given a %s frame, when parsed, then headers and body come back', (_n, wire, headers, body) => {
    const [f, ...more] = parseAll(wire);
    expect(more).toEqual([]);
    expect(f!.headers).toMatchObject(headers);
    expect(f!.body).toBe(body);
  });

  it('given the connect reply (channel headers first, Content-Type last, no Content-Length), then it is one CHANNEL_DATA event', () => {
    const wire = connectReply([
      ['Event-Name', 'CHANNEL_DATA'],
      ['Unique-ID', 'abc'],
      ['Caller-Caller-ID-Number', '+4930555000'],
    ]);
    expect(wire).toContain('Caller-Caller-ID-Number: %2B4930555000\n');
    expect(wire.endsWith('Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n')).toBe(true);
    const frames = parseAll(wire + commandReply('+OK Events Enabled'));
    expect(frames).toHaveLength(2);
    expect(frames[0]!.headers['Reply-Text']).toBe('+OK\n');
    const ev = frameToEvent(frames[0]!);
    expect(ev?.name).toBe('CHANNEL_DATA');
    expect(ev?.headers['Caller-Caller-ID-Number']).toBe('+4930555000');
  });

  it('given BACKGROUND_JOB (event-plain with a nested body), then the job text is the event body', () => {
    const wire = eventPlain([['Event-Name', 'BACKGROUND_JOB'], ['Job-UUID', JOB], ['Job-Command', 'originate']], `+OK ${JOB}\n`);
    const ev = frameToEvent(parseAll(wire)[0]!);
    expect(ev).toMatchObject({ name: 'BACKGROUND_JOB', body: `+OK ${JOB}\n` });
    expect(ev!.headers['Job-UUID']).toBe(JOB);
  });

  it('given text/event-json, then values are plain and Content-Length counts bytes', () => {
    const wire = eventJson([['Event-Name', 'CHANNEL_ANSWER'], ['Caller-Caller-ID-Name', 'Zoë ☎']]);
    const ev = frameToEvent(parseAll(wire)[0]!);
    expect(ev?.headers['Caller-Caller-ID-Name']).toBe('Zoë ☎');
  });

  it('given a repeated header (Hangup-Cause twice in HANGUP_COMPLETE), then the first wins', () => {
    const wire = 'Content-Length: 73\nContent-Type: text/event-plain\n\n';
    const inner = 'Event-Name: CHANNEL_HANGUP_COMPLETE\nHangup-Cause: USER_BUSY\nHangup-Cause: X\n\n';
    const ev = frameToEvent(parseAll(wire.replace('73', String(Buffer.byteLength(inner))) + inner)[0]!);
    expect(ev?.headers['Hangup-Cause']).toBe('USER_BUSY');
  });
});

describe('ESL codec: chunk boundaries', () => {
  const stream =
    commandReply('+OK accepted') +
    eventPlain([['Event-Name', 'CHANNEL_CREATE'], ['Caller-Caller-ID-Name', 'Zoë "☎"\nEvil: yes'], ['Unique-ID', 'u']]) +
    apiResponse('{"row_count": 0}\n') +
    eventPlain([['Event-Name', 'BACKGROUND_JOB'], ['Job-UUID', JOB]], '-ERR USER_BUSY\n') +
    eventJson([['Event-Name', 'CHANNEL_HANGUP'], ['Unique-ID', 'é']]);
  const bytes = Buffer.from(stream, 'utf8');
  const whole = parseAll(bytes);

  it('given the whole stream at once, then five frames', () => {
    expect(whole).toHaveLength(5);
  });

  it('given the stream split at every byte offset, then the same frames come out', () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new EslParser(true);
      const frames = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut))];
      expect(frames, `cut at ${cut}`).toEqual(whole);
    }
  });

  it('given the stream fed one byte at a time, then the same frames come out', () => {
    const p = new EslParser(true);
    const frames: EslFrame[] = [];
    for (let i = 0; i < bytes.length; i++) frames.push(...p.push(bytes.subarray(i, i + 1)));
    expect(frames).toEqual(whole);
  });
});

describe('ESL codec: hostile values', () => {
  it.each([
    ['newline', 'Bob\nContent-Type: api/response'],
    ['encoded newline text', 'Bob%0AEvil: 1'],
    ['separators', '1001,user/1002|&^"{}[]'],
    ['long', 'x'.repeat(500)],
  ])('given a caller name with %s, when sent and parsed, then it round-trips as one header value', (_n, name) => {
    const wire = eventPlain([['Event-Name', 'CHANNEL_CREATE'], ['Caller-Caller-ID-Name', name]]);
    const frames = parseAll(wire);
    expect(frames).toHaveLength(1);
    const ev = frameToEvent(frames[0]!);
    expect(ev?.headers['Caller-Caller-ID-Name']).toBe(name);
    expect(Object.keys(ev!.headers)).toEqual(['Event-Name', 'Caller-Caller-ID-Name']);
  });

  it('given malformed %-escapes, then decoding keeps the text instead of throwing', () => {
    expect(urlDecode('100%zz%E0')).toBe('100%zz\u00e0');
    expect(urlEncode('+1 a\n')).toBe('%2B1%20a%0A');
  });

  it('given a command with a line break, then it is refused (no command injection)', () => {
    expect(() => command('api uuid_kill x\n\napi fsctl shutdown')).toThrow(SwitchboardError);
    expect(() => command('sendmsg u', [['execute-app-arg', 'a\nb']])).toThrow(/line break/);
    expect(command('sendmsg u', [['call-command', 'execute']])).toBe('sendmsg u\ncall-command: execute\n\n');
  });

  it('given an absurd Content-Length, then a typed protocol error', () => {
    expect(() => parseAll('Content-Length: -5\n\n')).toThrow(SwitchboardError);
    expect(() => parseAll('Content-Length: 99999999999\n\n')).toThrow(/Content-Length/);
  });
});

describeShared('ESL codec against the recorded raw frames', () => {
  it('given every frame FreeSWITCH sent in the recordings, when re-parsed, then each is one frame with its recorded Content-Type', () => {
    for (const name of ['a-answer-after-5-bridged-caller-hangs-up', 'a-json-same-with-myevents-json', 'f-simultaneous-ring-second-answers']) {
      const lines = readFileSync(sharedPath('freeswitch-reference/traces', `${name}.jsonl`), 'utf8').trim().split('\n');
      for (const l of lines) {
        const r = JSON.parse(l) as { kind: string; type?: string; event?: string | null; raw?: string };
        if (r.kind !== 'recv' || !r.raw) continue;
        const frames = parseAll(r.raw);
        expect(frames).toHaveLength(1);
        expect(frames[0]!.headers['Content-Type']).toBe(r.type);
        if (r.event) expect(frameToEvent(frames[0]!)?.name).toBe(r.event);
      }
    }
  });
});
