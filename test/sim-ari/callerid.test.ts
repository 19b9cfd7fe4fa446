/**
 * The simulator parses an ARI `callerId` as Asterisk 22 does (ast_callerid_parse +
 * ast_shrink_phone_number). Found on the real Asterisk (test/pbx/asterisk): a bare
 * `callerId=anonymous` is a NAME there, with an empty number; the simulator had made it the number.
 */
import { describe, expect, it } from 'vitest';
import { parseCallerId } from '../../src/sim/asterisk/channels.js';

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
