import { describe } from 'vitest';
import { scenarioSuite } from './suite.js';
import { FreeswitchHarness } from './freeswitch-harness.js';

describe('routing scenarios on FreeSWITCH (ESL simulator, outbound + inbound ESL)', () => {
  scenarioSuite(() => new FreeswitchHarness());
});
