import { describe } from 'vitest';
import { AsteriskHarness } from './asterisk-harness.js';
import { scheduleSuite } from './schedules-suite.js';

describe('schedules, labels and blocked callers on Asterisk (ARI simulator)', () => {
  scheduleSuite(() => new AsteriskHarness());
});
