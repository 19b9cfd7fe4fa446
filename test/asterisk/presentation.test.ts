import { describe, expect, test } from 'vitest';
import { presentationRestricted } from '../../src/backend/asterisk/caller-id.js';

describe('the caller presentation the shipped dialplan passes to Stasis', () => {
  test.each([
    [['+12025550100', 'callerpres=prohib_passed_screen'], true],
    [['+12025550100', 'callerpres=prohib'], true],
    [['+12025550100', 'callerpres=PROHIB_NOT_SCREENED'], true],
    [['+12025550100', 'callerpres=allowed_not_screened'], false],
    [['+12025550100', 'callerpres=unavailable'], false],
    [['+12025550100', 'callerpres='], false],
    [['+12025550100'], false],
    [[], false],
    // The first argument is the number called (spec 4), never the presentation.
    [['callerpres=prohib'], false],
  ])('given Stasis arguments %j, then restricted is %s', (args, restricted) => {
    expect(presentationRestricted(args)).toBe(restricted);
  });
});
