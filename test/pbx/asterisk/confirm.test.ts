/**
 * The press-1 confirmation suite (test/scenarios/confirm-suite.ts) on a real Asterisk, exactly as
 * on the simulators. The outside numbers are Local channels whose ;2 half answers and then runs
 * SendDTMF: the key reaches the ;1 half, held in our Stasis app, as ChannelDtmfReceived.
 * SWITCHBOARD_RECORD_FIXTURES=1 writes what Asterisk sent (every event of the confirming legs:
 * StasisStart, PlaybackStarted/Finished, ChannelDtmfReceived, the hang-up) to
 * test/fixtures/asterisk-real/confirm-calls.jsonl, which test/sim-ari/confirm-replay.test.ts
 * holds the simulator to.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { confirmSuite } from '../../scenarios/confirm-suite.js';
import { REPO_ROOT } from '../../support/shared.js';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { fixtureLines } from './fixture.js';
import { RealAsteriskHarness } from './harness.js';

const asterisk = locateAsterisk();
/** The event types of a confirming leg that the fixture keeps (the rest is the usual call flow). */
const KEPT = new Set(['StasisStart', 'StasisEnd', 'ChannelDtmfReceived', 'PlaybackStarted', 'PlaybackFinished', 'ChannelDestroyed']);

describePbx('press-1 confirmation on a real Asterisk (Local channels as phones, SendDTMF as the key)', asterisk, () => {
  if ('missing' in asterisk) return;
  let h: RealAsteriskHarness | undefined;
  afterAll(() => {
    if (process.env.SWITCHBOARD_RECORD_FIXTURES !== '1' || !h?.observer) return;
    const dir = join(REPO_ROOT, 'test/fixtures/asterisk-real');
    mkdirSync(dir, { recursive: true });
    const events = h.observer.events.filter((e) => KEPT.has(e.type));
    writeFileSync(join(dir, 'confirm-calls.jsonl'), fixtureLines(events, [], { carrierPort: -1, sipPort: h.inst.sipPort, uasPort: {} }).join('\n') + '\n');
  });
  confirmSuite(() => (h = new RealAsteriskHarness(asterisk)));
});
