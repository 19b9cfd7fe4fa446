/**
 * Phone-number normalisation. Everything a caller sends is untrusted: the only thing that
 * leaves here is E.164 (`+` and digits) or null.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { BadNumberError } from './errors.js';
import { E164_RE } from './config/schema.js';

const WITHHELD = new Set(['', 'anonymous', 'restricted', 'unknown', 'private', 'unavailable', 'withheld']);

/** True when a raw caller ID means "withheld" (spec: anonymous, restricted, empty). */
export function isWithheld(raw: string | null | undefined): boolean {
  return raw === null || raw === undefined || WITHHELD.has(raw.trim().toLowerCase());
}

/**
 * Normalise a number to E.164 with `defaultCountry` for numbers without `+`.
 * Throws BadNumberError for anything that is not a phone number. Syntax only: a number that a
 * numbering plan calls unassigned or fictional (the 555 numbers) is still accepted.
 */
export function normalizeNumber(raw: string, defaultCountry: string): string {
  if (typeof raw !== 'string') throw new BadNumberError(String(raw), 'not a string');
  if (raw.length > 64) throw new BadNumberError(raw, 'too long');
  const trimmed = raw.trim();
  // Common separators only; anything else (letters, quotes, & , | ^ /) is refused outright.
  if (!/^\+?[0-9 ().-]+$/.test(trimmed)) throw new BadNumberError(raw, 'only digits, "+", spaces, "(", ")", "." and "-" are allowed');
  const compact = trimmed.replace(/[ ().-]/g, '');
  if (compact.startsWith('+')) {
    if (!E164_RE.test(compact)) throw new BadNumberError(raw, 'an international number needs 8 to 15 digits after "+"');
    return compact;
  }
  if (compact.startsWith('00') && E164_RE.test(`+${compact.slice(2)}`)) return `+${compact.slice(2)}`;
  const parsed = parsePhoneNumberFromString(compact, defaultCountry as CountryCode);
  if (!parsed || !parsed.isPossible()) throw new BadNumberError(raw, `not a possible number in ${defaultCountry}`);
  const e164 = parsed.number;
  if (!E164_RE.test(e164)) throw new BadNumberError(raw, 'does not normalise to E.164');
  return e164;
}

/** Normalise a caller ID: E.164, or null for a withheld or unusable caller (never an error). */
export function normalizeCaller(raw: string | null | undefined, defaultCountry: string): string | null {
  if (isWithheld(raw)) return null;
  try {
    return normalizeNumber(raw as string, defaultCountry);
  } catch {
    return null;
  }
}
