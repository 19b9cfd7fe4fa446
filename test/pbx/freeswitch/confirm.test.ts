/**
 * The press-1 confirmation suite (test/scenarios/confirm-suite.ts) on a real FreeSWITCH 1.10.12
 * with loopback phones: every scenario is a named skip, for a reason found here. mod_loopback
 * moves every `group_confirm_*` variable from the a-leg (the leg the bridge sees) to the b-leg
 * when it links the pair (mod_loopback.c, channel_on_init: switch_channel_del_variable_prefix(
 * channel, "group_confirm_")); so a loopback leg never runs its confirm application and the bridge
 * takes it the moment it answers (seen here: the mobile bridged 0.3 s in, before its key). A
 * sofia (SIP) leg keeps them: confirmation on the real FreeSWITCH is run over SIP, with SIPp
 * pressing the key as RFC 2833 events (confirm-sip.test.ts).
 */
import { confirmSuite, CONFIRM_TESTS } from '../../scenarios/confirm-suite.js';
import { describePbx } from '../support/locate.js';
import { locateFreeswitch, type FreeswitchInstall } from './locate.js';
import { RealFreeswitchHarness } from './harness.js';

const found = locateFreeswitch();

describePbx('press-1 confirmation on a real FreeSWITCH (loopback phones)', found, () => {
  confirmSuite(() => new RealFreeswitchHarness(found as FreeswitchInstall), {
    skip: [
      {
        reason: 'mod_loopback strips group_confirm_* from the a-leg (mod_loopback.c channel_on_init), so a loopback leg cannot confirm; run over SIP in confirm-sip.test.ts',
        tests: [...CONFIRM_TESTS],
      },
    ],
  });
});
