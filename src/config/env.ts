/**
 * `${NAME}` substitution in config values. It runs on the parsed YAML tree, one scalar
 * string at a time, so a secret that holds `": x\n  users: []"` stays one string and
 * cannot add keys to the config.
 *
 * Forms: `${NAME}` (NAME must be set; an empty value counts as set, as in a shell),
 * `${NAME:-default}` (default when NAME is unset or empty), `$${` (a literal `${`).
 */
import { isScalar, visit, type Document } from 'yaml';

/** One problem in a string's `${...}` references. */
export interface EnvProblem {
  kind: 'missing' | 'malformed';
  /** The variable name (missing) or the reference text as written (malformed). */
  name: string;
}

/** Result of expanding one string: the new value and what could not be expanded. */
export interface Expansion {
  value: string;
  problems: EnvProblem[];
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Expand every `${...}` reference in `text` from `env`. Pure: no I/O, never throws. */
export function expandEnv(text: string, env: NodeJS.ProcessEnv): Expansion {
  if (!text.includes('${')) return { value: text, problems: [] };
  const problems: EnvProblem[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('$', i);
    if (start === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    if (text.startsWith('$${', start)) {
      out += '${';
      i = start + 3;
      continue;
    }
    if (!text.startsWith('${', start)) {
      out += '$';
      i = start + 1;
      continue;
    }
    const end = text.indexOf('}', start + 2);
    if (end === -1) {
      problems.push({ kind: 'malformed', name: text.slice(start, start + 40) });
      out += text.slice(start);
      break;
    }
    const body = text.slice(start + 2, end);
    const sep = body.indexOf(':-');
    const name = sep === -1 ? body : body.slice(0, sep);
    if (!NAME_RE.test(name)) {
      problems.push({ kind: 'malformed', name: text.slice(start, end + 1) });
    } else {
      const value = env[name];
      if (sep !== -1) out += value === undefined || value === '' ? body.slice(sep + 2) : value;
      else if (value === undefined) problems.push({ kind: 'missing', name });
      else out += value;
    }
    i = end + 1;
  }
  return { value: out, problems };
}

/** A problem found while substituting in a document, with the offset of its scalar. */
export interface LocatedEnvProblem extends EnvProblem {
  offset: number;
  path: (string | number)[];
}

/**
 * Substitute `${...}` in every string scalar VALUE of `doc`, in place. Map keys are left
 * alone: a key is structure, not a secret.
 */
export function substituteEnv(doc: Document, env: NodeJS.ProcessEnv): LocatedEnvProblem[] {
  const found: LocatedEnvProblem[] = [];
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string') return;
      const { value, problems } = expandEnv(node.value, env);
      node.value = value;
      const path = pathOf(ancestors, node);
      for (const p of problems) found.push({ ...p, offset: node.range?.[0] ?? 0, path });
    },
  });
  return found;
}

/** The key path from the document root down to `node`, from the visitor's ancestors. */
function pathOf(ancestors: readonly unknown[], node: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  const chain = [...ancestors, node];
  for (let i = 1; i < chain.length; i++) {
    const parent = chain[i - 1] as { items?: unknown[]; key?: unknown } | undefined;
    const child = chain[i];
    if (parent && Array.isArray(parent.items)) {
      const idx = parent.items.indexOf(child);
      // In a map the child is a Pair, whose key names the segment; in a seq it is the index.
      const pair = child as { key?: unknown } | undefined;
      if (pair && typeof pair === 'object' && 'key' in pair && 'value' in pair) {
        const k = pair.key;
        path.push(isScalar(k) ? String(k.value) : String(k));
      } else if (idx !== -1) path.push(idx);
    }
  }
  return path;
}
