/**
 * The route planner: spec sections 2, 7 and 9 as one pure function. No I/O, no clock, no
 * randomness: the contact, the ring-group cursors, the arrival time, the schedule overrides and
 * the block list come in, the plan and the cursor moves go out, and the caller (controller or
 * `explain`) decides whether to commit the moves. The order of checks: blocked, the schedule,
 * then the route.
 */
import { numberSchema, type Config, type InboundNumber, type User } from '../config/schema.js';
import type { CallInput, ContactRef, Cursors, FinalAction, Member, PlanResult, RingStep, RoutePlan } from './plan.js';
import type { GroupEnv } from './groups.js';
import { userMailbox } from './users.js';
import { checkUser, type Availability, type PassedOver } from './availability.js';
import { finalSentence, passedOver, stepWho } from './trace.js';
import { DEFAULT_RING_SECONDS, planDistribution } from './distribution.js';
import { numberSchedule, planClosed } from './closed.js';
import { blockDecision, type BlockMatcher } from './blocked.js';
import { legCallerName } from './label.js';
import type { ScheduleOverride } from './schedule.js';
import { markConfirming } from './confirm.js';

/** What the planner needs besides the call and the config, already looked up. */
export interface PlanContext {
  contact: ContactRef | null;
  cursors: Cursors;
  /** DND, device states, who is on a call, the groups' history (section 6); default: nothing known. */
  availability?: Availability;
  /** When the call arrives (ms since the epoch): the schedule clock. */
  at?: number;
  /** Schedule overrides in force (schedule id -> open | closed). */
  overrides?: ReadonlyMap<string, ScheduleOverride>;
  /** The block list (the config's and the run-time entries); default: the config's alone. */
  blocked?: BlockMatcher | readonly string[];
  /** The known caller's name from the contact store, for the caller label. */
  contactName?: string | null;
}

const NUMBER_DEFAULTS = numberSchema.omit({ number: true }).parse({});

/** Plan the route of one inbound call (spec sections 2, 7, 8, 9). Pure. */
export function planRoute(call: CallInput, config: Config, ctx: PlanContext): PlanResult {
  const r = planChain(call, config, ctx);
  return { ...r, plan: markConfirming(r.plan, config) };
}

function planChain(call: CallInput, config: Config, ctx: PlanContext): PlanResult {
  const trace: string[] = [];
  const avail = ctx.availability ?? {};
  const passed: PassedOver[] = [];
  const configured = config.numbers.find((n) => n.number === call.to);
  const block = blockDecision(call, configured, ctx.blocked ?? config.blocked);
  const schedule = numberSchedule(configured, config, ctx.at, ctx.overrides, block.blocked ? [] : trace);
  const base = { from: call.from, to: call.to, schedule, blocked: false, passedOver: passed };
  if (block.blocked) {
    trace.push(block.why, 'final action: hang up (blocked: cause 21, call rejected)');
    const plan: RoutePlan = { ...base, contact: null, steps: [], final: { action: 'hangup' }, trace, blocked: true, callerName: null };
    return { plan, cursorMoves: [] };
  }
  const contact = ctx.contact;
  trace.unshift(contact ? `caller ${contact.phone} is a known contact owned by ${contact.owner}` : call.from ? `caller ${call.from} is not a known contact` : 'caller ID is withheld: unknown caller');
  const callerName = legCallerName(configured?.label, ctx.contactName);
  if (callerName) trace.push(`desk and softphone legs show the caller ID name "${callerName}"`);

  if (configured && schedule && !schedule.open) {
    // A number's skipBusy also covers its whenClosed route (section 6).
    const { steps, final, cursorMoves } = planClosed(configured, config, ctx.cursors, trace, { avail, skipBusy: configured.skipBusy, passed });
    return { plan: { ...base, contact, steps, final, trace, callerName }, cursorMoves };
  }
  if (configured?.distribution) {
    const { steps, final, cursorMoves } = planDistribution(configured.distribution, config, ctx.cursors, trace, { avail, skipBusy: configured.skipBusy, passed });
    return { plan: { ...base, contact, steps, final, trace, callerName }, cursorMoves };
  }
  // The schema's defaults, for a number that is not in the config (which may not even be a valid
  // number: an unreadable called number is routed the same way).
  const number: InboundNumber = configured ?? { ...NUMBER_DEFAULTS, number: call.to };
  if (!configured) trace.push(`number ${call.to} is not in the config: no user, no forwarding, default options`);

  const ringSeconds = number.ringSeconds ?? DEFAULT_RING_SECONDS;
  const applicable: RingStep[] = [];
  const chosen = userStep(number, config, contact, ringSeconds, trace, avail, passed);
  if (chosen.step) applicable.push(chosen.step);
  if (number.forwardTo) {
    trace.push(`number ${number.number} forwards to ${number.forwardTo}`);
    applicable.push(externalStep('forwarding', 'forward', number.forwardTo, ringSeconds));
  }
  if (number.forwardToCompany === false) trace.push('forwardToCompany is off: the company phone is not tried');
  else if (config.company.phone) {
    trace.push(`the company phone ${config.company.phone} is the last number tried`);
    applicable.push(externalStep('company', 'company', config.company.phone, ringSeconds));
  } else trace.push('the company has no phone: no company step');

  let steps = applicable;
  if (!number.fallthrough && applicable.length > 1) {
    steps = applicable.slice(0, 1);
    trace.push(`fallthrough is off: only the first step rings (${applicable[0]!.rule}); left out: ${applicable.slice(1).map((s) => s.rule).join(', ')}`);
  } else if (number.fallthrough && applicable.length > 1) trace.push('fallthrough is on: every step rings in turn');
  steps.forEach((s, i) => trace.push(`step ${i + 1}: ${s.rule} rings ${stepWho(s)} for ${s.ringSeconds}s`));

  const final = finalAction(number, config, chosen.user, trace);
  return { plan: { ...base, contact, steps, final, trace, callerName }, cursorMoves: [] };
}

/**
 * Step 2: the chosen user (if any) plus the alsoRing users, nobody twice. A user passed over for
 * her state now (DND, on a call, not registered) stays chosen for the final action when nobody
 * else was chosen (section 2): her own mailbox takes the call.
 */
function userStep(number: InboundNumber, config: Config, contact: ContactRef | null, ringSeconds: number, trace: string[], avail: Availability, passed: PassedOver[]): { step: RingStep | null; user: User | null } {
  let chosen: { member: Member; user: User; rule: 'number-user' | 'contact-owner' } | null = null;
  let keptForMailbox: User | null = null;
  const place = { skipBusy: number.skipBusy };
  const check = (id: string, rule: PassedOver['step']) => {
    const r = checkUser(config, id, avail, place);
    if (r.ok) return r;
    trace.push(passedOver(id, r.reason));
    passed.push({ user: id, step: rule, reason: r.reason });
    if (r.keepsMailbox && rule !== 'also-ring') keptForMailbox ??= r.user ?? null;
    return null;
  };
  let ownerTried = false;
  const tryOwner = (why: string): void => {
    if (!contact || chosen || ownerTried) return;
    ownerTried = true;
    const r = check(contact.owner, 'contact-owner');
    if (r) {
      chosen = { member: r.member, user: r.user, rule: 'contact-owner' };
      trace.push(`${why}: the contact's owner ${contact.owner} is chosen`);
    }
  };

  if (number.preferContactOwner) tryOwner('preferContactOwner is on');
  if (!chosen && number.user) {
    trace.push(`number ${number.number} is assigned to ${number.user}`);
    const r = check(number.user, 'number-user');
    if (r) chosen = { member: r.member, user: r.user, rule: 'number-user' };
  }
  tryOwner('the caller is a known contact');

  const picked = chosen as { member: Member; user: User; rule: 'number-user' | 'contact-owner' } | null;
  const members: Member[] = picked ? [picked.member] : [];
  for (const id of number.alsoRing) {
    if (members.some((m) => m.user === id)) {
      trace.push(`${id} is also in alsoRing: rings once`);
      continue;
    }
    const r = check(id, 'also-ring');
    if (r) {
      members.push(r.member);
      trace.push(`${id} rings too (alsoRing)`);
    }
  }
  const kept = keptForMailbox as User | null;
  if (!picked && kept) trace.push(`${kept.id} stays chosen for the final action`);
  if (members.length === 0) {
    trace.push('no user can be rung: the user step is left out');
    return { step: null, user: kept };
  }
  if (!picked) trace.push('no user was chosen: the alsoRing users alone make the step');
  const rule = picked ? picked.rule : 'also-ring';
  return { step: { rule, strategy: 'simultaneous', ringSeconds, skipBusy: number.skipBusy || undefined, members }, user: picked ? picked.user : kept };
}

/** A forwarding or company step: one number through the trunk, no user. */
function externalStep(rule: 'forwarding' | 'company', device: 'forward' | 'company', number: string, ringSeconds: number): RingStep {
  return { rule, strategy: 'simultaneous', ringSeconds, members: [{ user: null, targets: [{ device, number }] }] };
}

/** Step 5 for the chain: the chosen user's mailbox, else the company's, else hang up. */
function finalAction(number: InboundNumber, config: Config, chosen: User | null, trace: string[]): FinalAction {
  let final: FinalAction;
  let whose: string;
  const own = chosen ? userMailbox(chosen) : undefined;
  if (number.unanswered === 'hangup') [final, whose] = [{ action: 'hangup' }, 'unanswered: hangup'];
  else if (chosen && own !== undefined) [final, whose] = [{ action: 'voicemail', mailbox: own }, `${chosen.id}'s mailbox`];
  else if (config.company.voicemail) {
    const why = chosen ? `${chosen.id} has no mailbox: the company mailbox` : 'no user was chosen: the company mailbox';
    [final, whose] = [{ action: 'voicemail', mailbox: config.company.voicemail }, why];
  } else if (chosen) [final, whose] = [{ action: 'hangup' }, `${chosen.id} has no mailbox and the company has none`];
  else [final, whose] = [{ action: 'hangup' }, 'no mailbox at all'];
  trace.push(finalSentence(final, whose));
  return final;
}
