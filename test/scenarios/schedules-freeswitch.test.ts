import { describe } from 'vitest';
import { FreeswitchHarness } from './freeswitch-harness.js';
import { scheduleSuite } from './schedules-suite.js';

describe('schedules, labels and blocked callers on FreeSWITCH (ESL simulator)', () => {
  scheduleSuite(() => new FreeswitchHarness());
});
