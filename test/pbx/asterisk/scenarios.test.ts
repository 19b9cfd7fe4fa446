/** The scenario suite (test/scenarios/suite.ts) on a real Asterisk, exactly as on the simulator. */
import { scenarioSuite } from '../../scenarios/suite.js';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { RealAsteriskHarness } from './harness.js';

const asterisk = locateAsterisk();

describePbx('routing scenarios on a real Asterisk (Local channels as phones)', asterisk, () => {
  if ('missing' in asterisk) return;
  scenarioSuite(() => new RealAsteriskHarness(asterisk), {
    skip: [
      {
        reason: 'the real-Asterisk harness has no transferAnswered helper yet (the transfer tests moved into the shared suite from a simulator-only file)',
        tests: [
          'given the answering phone blind-transfers the caller, then the caller stays connected to the target and the log says transferred',
          'given a transferred call, when the target hangs up, then the caller is hung up and the call ends',
        ],
      },
      {
        reason: 'the shipped voicemail.conf lets a message run 180 s (maxsecs): too long to wait for here',
        tests: ['given the caller stays on until voicemail ends by itself, then the PBX ends the call and no channel is left'],
      },
      {
        reason: 'phones here are Local channels, which have no registration or device state of their own: test/pbx/asterisk/devices.test.ts runs the same on registered SIPp phones',
        tests: [
          'given a desk phone that unregisters, then it is never dialled: skipped leg, and a user with no other device is passed over',
          'given alice busy on a call Switchboard never placed, then skipBusy passes her over and bob rings at once',
          'given bob unregisters while alice rings, then he is passed over (not registered) when his turn comes',
        ],
      },
    ],
  });
});
