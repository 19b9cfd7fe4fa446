import { describe } from 'vitest';
import { FreeswitchHarness } from './freeswitch-harness.js';
import { confirmSuite } from './confirm-suite.js';

describe('press-1 confirmation on FreeSWITCH (ESL simulator, outbound + inbound ESL)', () => {
  confirmSuite(() => new FreeswitchHarness());
});
