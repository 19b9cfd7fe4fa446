/**
 * How a config message names the offending value (spec section 1: "config errors name the file,
 * the line, the key and the offending value"): `numbers[9].number: +12025550200 is listed twice
 * (first at line 31)`. One place, so the schema's messages and the cross-checks read alike.
 */
import type { KeyPath } from './locate.js';

const MAX_SHOWN = 60;
/** A value printed as is: no spaces, quotes or control characters to hide. */
const PLAIN = /^[A-Za-z0-9+_.@:\/{}=$*-]+$/;
/** Keys whose value is a secret: never printed, whatever is wrong with it. */
const SECRET_KEY = /password|secret|token/i;

/** `user:secret@` in a URL becomes `user:***@`, so a DSN's password never reaches a log. */
function maskUrlPassword(s: string): string {
  return s.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:\/@\s]*):[^@\/\s]*@/i, '$1:***@');
}

/**
 * A config value as a message shows it: a plain word as is (`+12025550200`), any other string
 * quoted (`"Alice Adams"`, `""`), numbers and booleans as written, a list or a map by its shape.
 * Long values are cut; secrets are never shown.
 */
export function showValue(value: unknown, path: KeyPath = []): string {
  const last = path[path.length - 1];
  if (typeof last === 'string' && SECRET_KEY.test(last)) return 'the value';
  if (typeof value === 'string') {
    const masked = maskUrlPassword(value);
    const cut = masked.length > MAX_SHOWN ? `${masked.slice(0, MAX_SHOWN)}…` : masked;
    return PLAIN.test(masked) ? cut : JSON.stringify(cut);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') return 'a map';
  return String(value);
}

/** What a value is, for a type mismatch: "a number", "a list", "a map", "text", "true/false". */
export function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'empty';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true/false';
    case 'object':
      return 'a map';
    default:
      return typeof value;
  }
}

/** What the schema wanted, in the admin's words. */
export function expectedName(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'number':
    case 'int':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a map of keys';
    default:
      return expected;
  }
}

/**
 * The message for a value of the wrong type: `1001 is a number, expected text (quote it: "1001")`.
 * A number where text is wanted is the classic YAML slip (extensions, mailboxes), so it says how to fix it.
 */
export function typeMessage(value: unknown, expected: string, path: KeyPath, message: string): string {
  // zod reports a fraction where a whole number is wanted as a type issue: keep the schema's own words.
  if (expected === 'int' && typeof value === 'number') return withValue(value, message, path);
  // A list or a map has no short form worth repeating: its kind says it.
  if (typeof value === 'object' && value !== null) return `is ${kindOf(value)}, expected ${expectedName(expected)}`;
  const base = `${showValue(value, path)} is ${kindOf(value)}, expected ${expectedName(expected)}`;
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean') && !SECRET_KEY.test(String(path[path.length - 1] ?? ''))) {
    return `${base} (quote it: "${String(value)}")`;
  }
  return base;
}

/** `<value> <message>`: the schema's "must be ..." messages, led by the value they judge. */
export function withValue(value: unknown, message: string, path: KeyPath): string {
  // A map is judged as a whole ("must define a trunk named default"): the key already names it.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return message;
  // A message that already names its value (the schedule checks write `"25:00" is not a time`) stays as it is.
  if (typeof value === 'string' && message.includes(JSON.stringify(value))) return message;
  if ((typeof value === 'string' || typeof value === 'number') && message.startsWith(`${String(value)} `)) return message;
  return `${showValue(value, path)} ${message}`;
}
