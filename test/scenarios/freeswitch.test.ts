import { describe } from 'vitest';
import { scenarioSuite } from './suite.js';
import { FreeswitchHarness } from './freeswitch-harness.js';

describe('routing scenarios on FreeSWITCH (ESL simulator, outbound + inbound ESL)', () => {
  scenarioSuite(() => new FreeswitchHarness(), {
    skip: [
      {
        reason: 'device state from FreeSWITCH (registrations and channels on the inbound ESL connection) is not built yet',
        tests: [
          'given a desk phone that unregisters, then it is never dialled: skipped leg, and a user with no other device is passed over',
          'given alice busy on a call Switchboard never placed, then skipBusy passes her over and bob rings at once',
        ],
      },
    ],
  });
});
