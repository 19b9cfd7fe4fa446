/**
 * Which legs of a plan must confirm (spec section 8): the outside legs whose device is in
 * `confirm.devices`. Pure. The call session asks the same question (confirmFor) when it builds a
 * step's legs, so a member re-checked when her turn comes confirms just the same.
 */
import type { Config } from '../config/schema.js';
import { confirmFor } from '../config/confirm.js';
import type { RoutePlan } from './plan.js';

/** The plan with `confirm: true` on every target that must press the key, and a trace line saying so. */
export function markConfirming(plan: RoutePlan, config: Config): RoutePlan {
  let any = false;
  const steps = plan.steps.map((s) => ({
    ...s,
    members: s.members.map((m) => ({
      ...m,
      targets: m.targets.map((t) => {
        // Desk phones and softphones never confirm: the schema allows only outside devices.
        if (!('number' in t) || !confirmFor(config.confirm, t.device)) return t;
        any = true;
        return { ...t, confirm: true as const };
      }),
    })),
  }));
  if (!any) return plan;
  const c = config.confirm;
  const trace = [...plan.trace, `${c.devices.join(', ')} legs must press ${c.key} within ${c.seconds}s of answering before they are bridged (confirm)`];
  return { ...plan, steps, trace };
}
