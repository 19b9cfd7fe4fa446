/**
 * The caller ID name on users' desk and softphone legs (spec section 9): the number's `label`
 * and the known contact's name, made safe before any PBX sees it. Never the caller's own caller
 * ID name: that is caller-supplied text. Each backend then escapes the result for its own syntax.
 */
import { LABEL_MAX } from '../config/schedules.js';

/** Everything outside letters (any script, with their marks), digits, space and . - ' & : */
const UNSAFE = /[^\p{L}\p{M}\p{Nd} .\-'&:]/gu;

/**
 * Make a name safe: NFC first (so `e` + a combining diaeresis is one letter `ë`), every other
 * character becomes a space, runs of spaces collapse, the ends are trimmed, and it is cut to 40
 * characters (code points, never half a surrogate pair).
 */
export function safeCallerName(text: string): string {
  const cleaned = text.normalize('NFC').replace(UNSAFE, ' ').replace(/ {2,}/g, ' ').trim();
  const chars = [...cleaned];
  return chars.length <= LABEL_MAX ? cleaned : chars.slice(0, LABEL_MAX).join('').trimEnd();
}

/**
 * The name a desk or softphone leg shows: `Sales` (unknown caller), `Sales: Jane Doe` (a known
 * contact), `Jane Doe` (no label), or null (neither: the backend shows the number alone).
 */
export function legCallerName(label: string | undefined, contactName: string | null | undefined): string | null {
  const name = contactName ? safeCallerName(contactName) : '';
  const text = label ? (name ? `${label}: ${name}` : label) : name;
  const safe = safeCallerName(text);
  return safe === '' ? null : safe;
}
