/** The scenario suite (test/scenarios/suite.ts) on a real Asterisk, exactly as on the simulator. */
import { scenarioSuite } from '../../scenarios/suite.js';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { RealAsteriskHarness } from './harness.js';

const asterisk = locateAsterisk();

describePbx('routing scenarios on a real Asterisk (Local channels as phones)', asterisk, () => {
  if ('missing' in asterisk) return;
  scenarioSuite(() => new RealAsteriskHarness(asterisk));
});
