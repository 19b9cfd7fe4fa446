import { describe } from 'vitest';
import { AsteriskHarness } from './asterisk-harness.js';
import { confirmSuite } from './confirm-suite.js';

describe('press-1 confirmation on Asterisk (ARI simulator, real ari-client)', () => {
  confirmSuite(() => new AsteriskHarness());
});
