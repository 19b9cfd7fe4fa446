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
        reason: 'transfer by the answering phone is not built on FreeSWITCH (see test/scenarios/freeswitch.test.ts)',
        tests: [
          'given the answering phone blind-transfers the caller, then the caller stays connected to the target and the log says transferred',
          'given a transferred call, when the target hangs up, then the caller is hung up and the call ends',
        ],
      },
      {
        reason: 'a loopback originate cannot carry a newline, comma or | in the caller ID (the carrier sends it over real SIP instead)',
        tests: ['given a hostile caller ID, then the call is routed as withheld and no caller text reaches the PBX'],
      },
      {
        reason: 'these phones are loopback channels, which never register and have no device state (the controller reads it for user/{endpoint} only): test/pbx/freeswitch/devices.test.ts runs the same on registered SIPp phones',
        tests: [
          'given a desk phone that unregisters, then it is never dialled: skipped leg, and a user with no other device is passed over',
          'given alice busy on a call Switchboard never placed, then skipBusy passes her over and bob rings at once',
          'given bob unregisters while alice rings, then he is passed over (not registered) when his turn comes',
        ],
      },
    ],
  });
});
