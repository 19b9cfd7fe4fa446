/** Small inline configs for the planner tests (independent of the example config file). */
import { configSchema, type ConfigInput, type Config } from '../../src/config/schema.js';
import type { RoutePlan } from '../../src/routing/plan.js';

export const TO = '+12025550200';
export const CALLER = '+12025550999';

/** Users: alice (desk+mobile), bob (desk), carol (desk+mobile), dave (cannot be rung), erin (app only, own mailbox). */
export const USERS: NonNullable<ConfigInput['users']> = [
  { id: 'alice', name: 'Alice', extension: '1001', mobile: '+12025550111' },
  { id: 'bob', name: 'Bob', extension: '1002' },
  { id: 'carol', name: 'Carol', extension: '1003', mobile: '+12025550113' },
  { id: 'dave', name: 'Dave', extension: '1004', ring: ['mobile'] },
  { id: 'erin', name: 'Erin', extension: '1005', app: 'erin-app', ring: ['app'], voicemail: '7005' },
];

/** A config with the users above, a company with phone and mailbox, and the given extra keys. */
export function makeConfig(extra: Partial<ConfigInput> = {}): Config {
  return configSchema.parse({
    company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
    users: USERS,
    ...extra,
  });
}

/** A step in one word: `rule:who+who` (forwarding/company show the number). */
export function stepSummary(plan: RoutePlan): string[] {
  return plan.steps.map(
    (s) =>
      `${s.rule}:` +
      s.members.map((m) => m.user ?? m.targets.map((t) => ('number' in t ? t.number : t.endpoint)).join('/')).join('+'),
  );
}

/** The final action in one word: `voicemail 1001` or `hangup`. */
export function finalSummary(plan: RoutePlan): string {
  return plan.final.action === 'voicemail' ? `voicemail ${plan.final.mailbox}` : 'hangup';
}
