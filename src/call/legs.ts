/** The legs of one ring attempt, and their call-log entries. Pure. */
import type { Config } from '../config/schema.js';
import type { Member, RingStep } from '../routing/plan.js';
import type { LegOutcome, LegSpec } from './contract.js';
import type { LegRecord } from './record.js';
import { confirmFor } from '../config/confirm.js';

/** The legs of attempt `a` of step `s`: every target of every member, keyed `s0.a0.m0.t0`. */
export function legSpecs(config: Config, step: RingStep, s: number, a: number, members: Member[], from: string | null, to: string, callerName: string | null = null): LegSpec[] {
  const trunk = config.trunks.default!;
  // Legs through the trunk show what the trunk's `callerId` says; SIP endpoints show the caller.
  const external = trunk.callerId === 'called' ? to || null : trunk.callerId === 'company' ? config.company.phone ?? from : from;
  const legs: LegSpec[] = [];
  members.forEach((m, mi) =>
    m.targets.forEach((t, ti) => {
      const base = { key: `s${s}.a${a}.m${mi}.t${ti}`, user: m.user, device: t.device, rule: step.rule };
      // Only users' desk and softphone legs carry the label; outside legs carry no name (section 9).
      if ('endpoint' in t) return legs.push({ ...base, endpoint: t.endpoint, callerId: from, callerName });
      // Asked of the config, not of the plan's mark: a member re-checked when her turn comes
      // (turn.ts) has fresh targets, and must confirm all the same (section 8).
      const confirm = confirmFor(config.confirm, t.device);
      legs.push({ ...base, number: t.number, callerId: external, ...(confirm ? { confirm } : {}) });
    }),
  );
  return legs;
}

/** The call-log entry of a leg, from what the PBX reported (`o`); no report is a failed leg. */
export function legRecord(spec: LegSpec, o: LegOutcome | undefined, now: number): LegRecord {
  return {
    user: spec.user,
    device: spec.device,
    ...(spec.endpoint !== undefined ? { endpoint: spec.endpoint } : { number: spec.number! }),
    rule: spec.rule,
    startedAt: o?.startedAt ?? new Date(now).toISOString(),
    result: o?.result ?? 'failed',
    cause: o?.cause ?? null,
    ...(o?.answeredAt ? { answeredAt: o.answeredAt } : {}),
    ...(o?.endedAt ? { endedAt: o.endedAt } : {}),
  };
}
