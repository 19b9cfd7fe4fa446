import { describe } from 'vitest';
import { scenarioSuite } from './suite.js';
import { AsteriskHarness } from './asterisk-harness.js';

describe('routing scenarios on Asterisk (ARI simulator, real ari-client)', () => {
  scenarioSuite(() => new AsteriskHarness());
});
