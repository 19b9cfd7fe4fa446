/**
 * Is a reloaded config a plausible successor of the one in force? A file watcher can fire while
 * an editor is half-way through a save, and a truncated config can still be valid YAML that passes
 * the schema (66 of the 102 line-prefixes of the example config did): swapped in, it drops calls.
 * So a reload that would remove more than half of the numbers or of the users at once is refused,
 * unless the admin forces it (SIGHUP); one that routes nothing at all is refused even then. Pure.
 */
import type { Config } from './schema.js';

export const ROUTES_NOTHING = 'the config routes nothing: it has no numbers, no users and no company phone (an empty or half-written file?)';

/**
 * An empty file, or one cut off before its numbers, is valid YAML that passes the schema; swapped
 * in by a reload it hangs up every call ("no route left"). Nobody means that config.
 */
export function routesNothing(config: Config): boolean {
  return config.numbers.length === 0 && config.users.length === 0 && config.company.phone === undefined;
}

/** Why `next` looks like a half-written `prev`, or null when it does not. */
export function suspiciousShrink(prev: Config, next: Config): string | null {
  const shrinks: string[] = [];
  const check = (what: string, before: number, after: number) => {
    if (before > 0 && before - after > before / 2) shrinks.push(`${what} ${before} -> ${after}`);
  };
  check('numbers', prev.numbers.length, next.numbers.length);
  check('users', prev.users.length, next.users.length);
  if (!shrinks.length) return null;
  return `it would remove more than half of the ${shrinks.join(', ')} at once (a half-written file?); send SIGHUP to apply it anyway`;
}
