/**
 * Rendering a route plan: the `explain --json` shape of spec section 5 (exact keys, exact order)
 * and a text form for people.
 */
import type { FinalAction, RingStep, RoutePlan, Target } from './plan.js';

/** A target with its keys in spec order: device, then endpoint or number. */
function targetJson(t: Target): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = 'endpoint' in t ? { device: t.device, endpoint: t.endpoint } : { device: t.device, number: t.number };
  // Section 8's addition: a leg that must press the key before it is bridged.
  if (t.confirm) out.confirm = true;
  return out;
}

function stepJson(s: RingStep): Record<string, unknown> {
  const out: Record<string, unknown> = { rule: s.rule, strategy: s.strategy, ringSeconds: s.ringSeconds };
  if (s.rule === 'distribution' && s.group !== undefined) out.group = s.group;
  out.members = s.members.map((m) => ({ user: m.user, targets: m.targets.map(targetJson) }));
  return out;
}

function finalJson(f: FinalAction): Record<string, string> {
  return f.action === 'voicemail' ? { action: 'voicemail', mailbox: f.mailbox } : { action: 'hangup' };
}

/** The plan as the `explain --json` object (spec section 5), rebuilt so key order never depends on the planner. */
export function planToJson(plan: RoutePlan): Record<string, unknown> {
  return {
    from: plan.from,
    to: plan.to,
    contact: plan.contact ? { phone: plan.contact.phone, owner: plan.contact.owner } : null,
    steps: plan.steps.map(stepJson),
    final: finalJson(plan.final),
    trace: [...plan.trace],
    // Section 5's additions for sections 7 and 9.
    schedule: plan.schedule ? { id: plan.schedule.id, open: plan.schedule.open, why: plan.schedule.why } : null,
    blocked: plan.blocked,
    callerName: plan.callerName,
  };
}

function targetText(t: Target): string {
  return `${t.device} ${'endpoint' in t ? t.endpoint : t.number}${t.confirm ? ' (confirms)' : ''}`;
}

/** The plan for people: the trace, then each step (rule, strategy, ring time, who on which device), then the final action. */
export function formatPlanText(plan: RoutePlan): string {
  const lines: string[] = [];
  lines.push(`call from ${plan.from ?? 'withheld'} to ${plan.to}`);
  lines.push(`contact: ${plan.contact ? `${plan.contact.phone} (owner ${plan.contact.owner})` : 'none'}`);
  if (plan.blocked) lines.push('blocked: the call is refused (cause 21)');
  if (plan.schedule) lines.push(`schedule: ${plan.schedule.id} is ${plan.schedule.open ? 'open' : 'closed'} (${plan.schedule.why})`);
  if (plan.callerName) lines.push(`caller ID name on desk and softphone legs: ${plan.callerName}`);
  lines.push('', 'trace:');
  for (const t of plan.trace) lines.push(`  - ${t}`);
  lines.push('', 'steps:');
  if (plan.steps.length === 0) lines.push('  (none: straight to the final action)');
  plan.steps.forEach((s, i) => {
    const group = s.group ? ` group ${s.group},` : '';
    const each = s.strategy === 'sequential' ? ' per member' : '';
    lines.push(`  ${i + 1}. ${s.rule} (${s.strategy},${group} ${s.ringSeconds}s${each})`);
    for (const m of s.members) lines.push(`       ${m.user ?? '(no user)'}: ${m.targets.map(targetText).join(', ')}`);
  });
  lines.push('', `final: ${plan.final.action === 'voicemail' ? `voicemail, mailbox ${plan.final.mailbox}` : 'hang up'}`);
  return `${lines.join('\n')}\n`;
}
