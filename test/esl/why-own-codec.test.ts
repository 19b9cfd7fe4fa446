/**
 * Why the FreeSWITCH backend speaks ESL through its own codec (src/esl/protocol.ts)
 * and uses drachtio-modesl only as the reference client in tests: modesl's parser runs
 * `decodeURIComponent` on every header value inside its socket's data handler, so one malformed
 * `%` escape from the peer is an uncaught URIError: the whole controller, and every call it
 * holds, goes down. This test keeps that measured reason honest: if a future modesl stops
 * crashing, it fails, and the choice should be looked at again.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EslParser, frameToEvent } from '../../src/esl/protocol.js';
import { REPO_ROOT } from '../support/shared.js';

const FRAME_BODY = 'Event-Name: CHANNEL_CREATE\nUnique-ID: abc\nCaller-Caller-ID-Name: 100%\n\n';
const FRAME = `Content-Length: ${Buffer.byteLength(FRAME_BODY)}\nContent-Type: text/event-plain\n\n${FRAME_BODY}`;

describe('ESL codec choice', () => {
  it('given a malformed %-escape in an event header, then drachtio-modesl throws out of its socket handler', () => {
    const run = spawnSync(process.execPath, [resolve(REPO_ROOT, 'test/fixtures/esl/modesl-malformed-escape.cjs')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 10_000 });
    expect(run.stdout).toContain('UNCAUGHT: URIError');
  });

  it('given the same frame, then our codec keeps the raw text and goes on', () => {
    const parser = new EslParser(true);
    const frames = parser.push(Buffer.from(FRAME));
    expect(frames).toHaveLength(1);
    const event = frameToEvent(frames[0]!);
    expect(event?.name).toBe('CHANNEL_CREATE');
    expect(event?.headers['Caller-Caller-ID-Name']).toBe('100%');
  });
});
