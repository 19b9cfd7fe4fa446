/**
 * The block list (spec section 9): E.164 numbers and `+1900*` prefixes, from the config and from
 * the store (`switchboard block add`), and what counts as a withheld caller. Pure.
 */
import { BLOCK_PATTERN_RE } from '../config/schedules.js';
import type { InboundNumber } from '../config/schema.js';

export { BLOCK_PATTERN_RE };

/**
 * A caller ID that says "withheld" (spec section 9): empty, `anonymous`, `restricted`,
 * `unavailable` or `private`, in any case, or presentation restricted by the PBX. Only these:
 * other text that is not a number (`unknown`, garbage) is an unknown caller, routed, not withheld.
 */
const WITHHELD_WORDS = new Set(['', 'anonymous', 'restricted', 'unavailable', 'private']);

/** True when the raw caller ID, or the PBX's presentation flag, says the caller is withheld. */
export function isWithheldCaller(rawCaller: string | null | undefined, presentationRestricted = false): boolean {
  if (presentationRestricted) return true;
  return rawCaller === null || rawCaller === undefined || WITHHELD_WORDS.has(rawCaller.trim().toLowerCase());
}

/** True for a valid block-list entry. */
export function isBlockPattern(s: string): boolean {
  return BLOCK_PATTERN_RE.test(s);
}

/**
 * A set of block-list patterns, matched in at most 15 set look-ups (one per prefix length of an
 * E.164 number), so a long list costs a call nothing more than a short one.
 */
export class BlockList {
  private readonly exact = new Set<string>();
  private readonly prefixes = new Set<string>();

  constructor(patterns: Iterable<string> = []) {
    for (const p of patterns) {
      if (!isBlockPattern(p)) continue; // validated where written; never trusted here
      if (p.endsWith('*')) this.prefixes.add(p.slice(0, -1));
      else this.exact.add(p);
    }
  }

  get size(): number {
    return this.exact.size + this.prefixes.size;
  }

  /** The pattern that blocks `caller` (E.164), or null. A withheld caller (null) is never matched. */
  match(caller: string | null): string | null {
    if (caller === null) return null;
    if (this.exact.has(caller)) return caller;
    if (this.prefixes.size === 0) return null;
    for (let n = 2; n <= caller.length; n++) {
      const prefix = caller.slice(0, n);
      if (this.prefixes.has(prefix)) return `${prefix}*`;
    }
    return null;
  }
}

/** Anything that can say which pattern blocks a caller. */
export interface BlockMatcher {
  match(caller: string | null): string | null;
}

/** Is this call refused (spec section 9)? With the sentence the trace gives. Pure. */
export function blockDecision(
  call: { from: string | null; withheld?: boolean },
  number: Pick<InboundNumber, 'number' | 'withheld'> | undefined,
  list: BlockMatcher | readonly string[],
): { blocked: true; why: string } | { blocked: false } {
  const withheld = call.withheld ?? call.from === null;
  if (withheld) {
    // `blocked` never matches a withheld caller; only the number's own `withheld: block` does.
    if (number?.withheld === 'block') return { blocked: true, why: `caller ID is withheld and number ${number.number} refuses withheld callers (withheld: block): blocked` };
    return { blocked: false };
  }
  const matcher = Array.isArray(list) ? new BlockList(list) : (list as BlockMatcher);
  const pattern = matcher.match(call.from);
  if (pattern === null) return { blocked: false };
  return { blocked: true, why: pattern === call.from ? `caller ${call.from} is on the block list: blocked` : `caller ${call.from} matches ${pattern} on the block list: blocked` };
}
