/**
 * The press-1 confirmation suite (test/scenarios/confirm-suite.ts) on a real FreeSWITCH 1.10.12,
 * exactly as on the simulators: the outside numbers are loopback phones that answer and then
 * `send_dtmf`; the key reaches the confirming leg and the inbound ESL connection as a DTMF event.
 */
import { confirmSuite } from '../../scenarios/confirm-suite.js';
import { describePbx } from '../support/locate.js';
import { locateFreeswitch, type FreeswitchInstall } from './locate.js';
import { RealFreeswitchHarness } from './harness.js';

const found = locateFreeswitch();

describePbx('press-1 confirmation on a real FreeSWITCH (loopback phones, send_dtmf as the key)', found, () => {
  confirmSuite(() => new RealFreeswitchHarness(found as FreeswitchInstall));
});
