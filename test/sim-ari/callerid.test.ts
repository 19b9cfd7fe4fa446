/**
 * The simulator parses an ARI `callerId` as Asterisk 22 does (ast_callerid_parse +
 * ast_shrink_phone_number). Found on the real Asterisk (test/pbx/asterisk): a bare
 * `callerId=anonymous` is a NAME there, with an empty number; the simulator had made it the number.
 */
import { describe, expect, it } from 'vitest';
import { parseCallerId } from '../../src/sim/asterisk/channels.js';
import { idsConflict } from '../../src/sim/asterisk/originate.js';

describe('parseCallerId (as Asterisk parses an originate callerId)', () => {
  it.each([
    ['+12025550999', { name: '', number: '+12025550999' }],
    ['anonymous', { name: 'anonymous', number: '' }],
    ['"Alice Adams" <1001>', { name: 'Alice Adams', number: '1001' }],
    ['Bob <+1 (202) 555-0100>', { name: 'Bob', number: '+12025550100' }],
    ['202-555.0100', { name: '', number: '2025550100' }],
    ['1001&PJSIP/666', { name: '1001&PJSIP/666', number: '' }],
    ['', { name: '', number: '' }],
  ])('given %j, then %j', (raw, want) => {
    expect(parseCallerId(raw)).toEqual(want);
  });
});

describe('idsConflict (Asterisk matches assigned channel ids by prefix)', () => {
  it.each([
    [[], 'x-1-caller', 'x-1', true],
    [[], 'x-1', 'x-1-caller', false],
    [[], 'a', 'b', false],
    [['x-10-in'], 'x-1', undefined, true],
    [['X-1-IN'], 'x-1-in', undefined, true],
    [['x-1-in'], 'x-10-in', 'x-10-pstn', false],
    [['x-1-in'], undefined, 'x-1', true],
  ] as const)('given channels %j, channelId %j and otherChannelId %j, then conflict is %j', (existing, one, two, want) => {
    expect(idsConflict(existing, one, two)).toBe(want);
  });
});
