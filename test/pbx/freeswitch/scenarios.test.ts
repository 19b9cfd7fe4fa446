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
        reason:
          'two loopback phones answering 50 ms apart race on a real FreeSWITCH: the phone meant to lose can win and its call is left up (the same race was fixed for Asterisk in the scenario; not yet for FreeSWITCH)',
        tests: [
          'given alice on a Switchboard call, then a skipBusy group passes her over and rings bob at once',
          'given a least-recent group, then the member who answered last rings last, and wrap-up passes her over',
        ],
      },
      {
        reason:
          "a caller who hangs up within milliseconds of `socket` starting makes FreeSWITCH close the outbound socket before it answers the controller's `connect`: no channel data, so no call to log (seen here: 50 of 60, the `connect` unanswered for 3 s, then the socket closed), and the harness cannot tell those calls apart from lost rows",
        tests: ['given 60 callers who hang up during originate, then every call has one row and nothing leaks'],
      },
      {
        reason:
          'flaky on loopback phones, cause not found: in 2 of about 6 full runs the bridged call ended "by callee" before the drain, and its retry then never bridged (the same family as the skipBusy race above); drain on FreeSWITCH is shown on the ESL simulator and drain itself on the real Asterisk',
        tests: ['given a bridged call, when the controller drains, then a new call takes the fail-safe route and the bridged call finishes'],
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
