/**
 * FreeSWITCH bridge/originate argument syntax, as the simulator reads it:
 * `{global vars}[leg vars]target,[leg vars]target2|target3`
 * `,` rings legs at once, `|` tries the groups one after the other. Variable lists are `k=v`
 * separated by `,`; `\,` is a literal comma inside a value.
 */

export interface LegDial {
  target: string;
  /** Global variables overlaid with this leg's own. */
  vars: Record<string, string>;
}

export interface BridgeDial {
  globals: Record<string, string>;
  /** Sequential groups of simultaneous legs. */
  groups: LegDial[][];
}

/** Split on `sep` outside `{}`/`[]` and not escaped by a backslash. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    if (c === '}' || c === ']') depth = Math.max(0, depth - 1);
    if (c === sep && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** Parse `k=v,k2=v2` (the inside of `{}` or `[]`). */
export function parseVarList(s: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const part of splitTop(s, ',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    let v = part.slice(eq + 1).replace(/\\,/g, ',');
    if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1);
    vars[part.slice(0, eq).trim()] = v;
  }
  return vars;
}

/** Take a leading `{...}` or `[...]` block off `s`. */
function takeBlock(s: string, open: '{' | '['): { vars: Record<string, string>; rest: string } {
  const close = open === '{' ? '}' : ']';
  if (!s.startsWith(open)) return { vars: {}, rest: s };
  const end = s.indexOf(close);
  if (end === -1) return { vars: {}, rest: s };
  return { vars: parseVarList(s.slice(1, end)), rest: s.slice(end + 1) };
}

/** Parse a bridge argument into its global variables and groups of legs. */
export function parseBridgeArg(arg: string): BridgeDial {
  const { vars: globals, rest } = takeBlock(arg.trim(), '{');
  const groups: LegDial[][] = [];
  for (const groupText of splitTop(rest, '|')) {
    const legs: LegDial[] = [];
    for (const legText of splitTop(groupText.trim(), ',')) {
      let t = legText.trim();
      const leg = takeBlock(t, '[');
      t = leg.rest.trim();
      const inner = takeBlock(t, '{'); // per-leg {} is accepted too
      const target = inner.rest.trim();
      if (target) legs.push({ target, vars: { ...globals, ...leg.vars, ...inner.vars } });
    }
    if (legs.length > 0) groups.push(legs);
  }
  return { globals, groups };
}
