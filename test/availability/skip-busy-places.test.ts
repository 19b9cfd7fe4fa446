/**
 * Spec section 6: "A number's `skipBusy` also covers its distribution and its `whenClosed` route;
 * a group's own `skipBusy` applies wherever the group rings." In the planner, each place checked
 * both ways (with and without the key) so that a planner ignoring it fails here.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import type { Availability, DeviceState } from '../../src/routing/availability.js';
import { planRoute } from '../../src/routing/route.js';
import { CALLER, makeConfig, stepSummary } from '../routing/fixtures.js';

const OPEN_NUMBER = '+12025550200';
const CLOSED_NUMBER = '+12025550201';
const OTHER_NUMBER = '+12025550202';

// bob's desk phone is in use on a call (as the PBX reports it); alice and carol are free.
const bobBusy: Availability = { device: (ep: string): DeviceState => (ep === '1002' ? 'in-use' : 'idle') };
const bobBridged: Availability = { bridged: new Set(['bob']) };

function config(opts: { numberSkipBusy: boolean; groupSkipBusy: boolean; strategy?: 'simultaneous' | 'linear' | 'round-robin' | 'least-recent' }): ReturnType<typeof makeConfig> {
  const numbers: NonNullable<ConfigInput['numbers']> = [
    { number: OPEN_NUMBER, distribution: 'd', skipBusy: opts.numberSkipBusy },
    // Closed all the time (an override says so below): whenClosed rings the same distribution.
    { number: CLOSED_NUMBER, user: 'alice', schedule: 'hours', whenClosed: { distribution: 'd' }, skipBusy: opts.numberSkipBusy },
    // A second number using the same group, never with skipBusy of its own.
    { number: OTHER_NUMBER, distribution: 'd' },
  ];
  return makeConfig({
    ringGroups: [{ id: 'g', strategy: opts.strategy ?? 'simultaneous', members: ['bob', 'alice', 'carol'], skipBusy: opts.groupSkipBusy }],
    distributions: [{ id: 'd', steps: ['g'] }],
    schedules: [{ id: 'hours', timezone: 'UTC', open: [{ days: ['mon'], from: '09:00', to: '17:00' }] }],
    numbers,
  });
}

function plan(cfg: ReturnType<typeof makeConfig>, to: string, avail: Availability) {
  const overrides = new Map([['hours', 'closed' as const]]);
  return planRoute({ from: CALLER, to }, cfg, { contact: null, cursors: new Map(), availability: avail, overrides, at: Date.parse('2026-12-01T12:00:00Z') }).plan;
}

describe("a number's skipBusy covers its distribution and its whenClosed route", () => {
  for (const [what, avail] of [['in use on the PBX', bobBusy], ['bridged on a Switchboard call', bobBridged]] as const) {
    it(`given bob ${what} and a group without skipBusy, then a number with skipBusy passes him over in its distribution`, () => {
      const p = plan(config({ numberSkipBusy: true, groupSkipBusy: false }), OPEN_NUMBER, avail);
      expect(stepSummary(p)).toEqual(['distribution:alice+carol']);
      expect(p.passedOver).toEqual([{ user: 'bob', step: 'g', reason: 'on a call' }]);
      // The step carries it, so the call session checks it again when the step starts.
      expect(p.steps[0]!.skipBusy).toBe(true);
    });

    it(`given bob ${what}, then a closed number with skipBusy passes him over in its whenClosed distribution`, () => {
      const p = plan(config({ numberSkipBusy: true, groupSkipBusy: false }), CLOSED_NUMBER, avail);
      expect(p.schedule?.open).toBe(false);
      expect(stepSummary(p)).toEqual(['distribution:alice+carol']);
      expect(p.passedOver).toEqual([{ user: 'bob', step: 'g', reason: 'on a call' }]);
      expect(p.steps[0]!.skipBusy).toBe(true);
    });
  }

  it('given neither the number nor the group has skipBusy, then bob rings in both places (call waiting)', () => {
    const cfg = config({ numberSkipBusy: false, groupSkipBusy: false });
    for (const to of [OPEN_NUMBER, CLOSED_NUMBER]) {
      const p = plan(cfg, to, bobBusy);
      expect(stepSummary(p), to).toEqual(['distribution:bob+alice+carol']);
      expect(p.passedOver, to).toEqual([]);
      expect(p.steps[0]!.skipBusy, to).toBeUndefined();
    }
  });

  it("given another number without skipBusy uses the same group, then the first number's skipBusy does not leak into it", () => {
    const p = plan(config({ numberSkipBusy: true, groupSkipBusy: false }), OTHER_NUMBER, bobBusy);
    expect(stepSummary(p)).toEqual(['distribution:bob+alice+carol']);
  });
});

describe("a group's own skipBusy applies wherever the group rings", () => {
  for (const strategy of ['simultaneous', 'linear', 'round-robin', 'least-recent'] as const) {
    it(`given a ${strategy} group with skipBusy, then bob is passed over from every number that uses it (none of which has skipBusy), open or closed`, () => {
      const cfg = config({ numberSkipBusy: false, groupSkipBusy: true, strategy });
      for (const to of [OPEN_NUMBER, CLOSED_NUMBER, OTHER_NUMBER]) {
        const p = plan(cfg, to, bobBusy);
        expect(p.passedOver, to).toEqual([{ user: 'bob', step: 'g', reason: 'on a call' }]);
        expect(stepSummary(p)[0], to).toBe(strategy === 'round-robin' ? 'distribution:alice' : 'distribution:alice+carol');
        expect(p.steps[0]!.skipBusy, to).toBe(true);
      }
    });
  }
});
