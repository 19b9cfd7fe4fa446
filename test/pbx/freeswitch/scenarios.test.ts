/** The whole scenario suite on a real FreeSWITCH 1.10.12 (loopback phones, the shipped dialplan). */
import { scenarioSuite } from '../../scenarios/suite.js';
import { describePbx } from '../support/locate.js';
import { locateFreeswitch, type FreeswitchInstall } from './locate.js';
import { RealFreeswitchHarness } from './harness.js';

const found = locateFreeswitch();

describePbx('routing scenarios on a real FreeSWITCH (loopback phones)', found, () => {
  scenarioSuite(() => new RealFreeswitchHarness(found as FreeswitchInstall), {
    skip: [
      {
        reason: 'a loopback originate cannot carry a newline, comma or | in the caller ID (the carrier sends it over real SIP instead)',
        tests: ['given a hostile caller ID, then the call is routed as withheld and no caller text reaches the PBX'],
      },
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
