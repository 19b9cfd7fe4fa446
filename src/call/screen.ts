/**
 * What a call session does before it plans a route (spec sections 7 and 9): who the caller is
 * (withheld or not), whether the caller is blocked (checked first, so a blocked caller hears no
 * ringing and is not looked up), and the caller look-ups (owner and, for the label, the name).
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { normalizeCaller } from '../phone.js';
import { blockDecision, isWithheldCaller, type BlockMatcher } from '../routing/blocked.js';
import type { ContactRef, RoutePlan } from '../routing/plan.js';
import { planRoute } from '../routing/route.js';
import type { ScheduleOverride } from '../routing/schedule.js';
import type { InboundCallInfo } from './contract.js';

/** The caller: E.164 or null, and whether the caller withheld the number (section 9's words or the PBX's flag). */
export function callerOf(info: InboundCallInfo, defaultCountry: string): { from: string | null; withheld: boolean } {
  // A caller who restricted presentation stays withheld: the number is not used, even for look-ups.
  const restricted = info.presentationRestricted === true;
  return { from: restricted ? null : normalizeCaller(info.rawCaller, defaultCountry), withheld: isWithheldCaller(info.rawCaller, restricted) };
}

/** The blocked plan of a refused caller, or null when the caller may be routed. Pure. */
export function blockedPlan(
  call: { from: string | null; to: string; withheld: boolean },
  config: Config,
  list: BlockMatcher | readonly string[],
  at: number,
  overrides: ReadonlyMap<string, ScheduleOverride> | undefined,
): RoutePlan | null {
  const configured = config.numbers.find((n) => n.number === call.to);
  if (!blockDecision(call, configured, list).blocked) return null;
  return planRoute(call, config, { contact: null, cursors: new Map(), blocked: list, at, overrides }).plan;
}

/** The caller's contact (owner) and name, looked up together; a failure is an unknown caller. */
export async function lookUpCaller(
  deps: { lookupContact(phone: string | null): Promise<ContactRef | null>; lookupContactName?(phone: string): Promise<string | null> },
  from: string | null,
  log: Logger,
): Promise<[ContactRef | null, string | null]> {
  return Promise.all([
    deps.lookupContact(from).catch((err) => {
      log.warn({ err: (err as Error).message }, 'contact look-up failed: unknown caller');
      return null;
    }),
    from && deps.lookupContactName ? deps.lookupContactName(from).catch(() => null) : Promise.resolve(null),
  ]);
}
