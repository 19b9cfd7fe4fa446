/**
 * Load a config file: YAML -> `${ENV}` substitution -> zod schema -> cross-checks.
 * Every problem is reported at once, each with its file, line and key path, so an admin
 * fixes a file in one pass instead of one error per run.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { crossCheck, hint } from './crosscheck.js';
import { substituteEnv } from './env.js';
import { formatPath, locateKey, makeLocator, valueAt, type Locate } from './locate.js';
import { expectedName, kindOf, showValue, typeMessage, withValue } from './messages.js';
import { configSchema, type Config } from './schema.js';
import { parseYaml } from './yaml.js';

/** A validated config and where it came from. */
export interface LoadedConfig {
  config: Config;
  /** Absolute path of the config file. */
  file: string;
  /** Absolute path of the folder that holds it: relative paths in the config start here. */
  dir: string;
  /** `storage.sqlite` resolved against `dir`; `:memory:` is kept as is. */
  sqlitePath: string;
  /** `storage.postgres` after env expansion: set, the store is PostgreSQL and `sqlitePath` is unused. */
  postgresUrl?: string;
  /** Problems that do not refuse the config (an admin should still look at them). */
  warnings: ConfigIssue[];
}

/** Where relative paths start; defaults to the process's working folder. */
export interface LoadOptions {
  cwd?: string;
}

/**
 * Read and validate the config file at `file`. Issues name `file` as given (not made
 * absolute) so messages match what the admin typed. Throws ConfigError.
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv, opts: LoadOptions = {}): Promise<LoadedConfig> {
  const absolute = path.resolve(opts.cwd ?? process.cwd(), file);
  let bytes: Buffer;
  try {
    const st = await stat(absolute);
    // A config is a few KB; one over 1 MiB is a mistake (the wrong file), and parsing it would
    // block call handling for as long as it takes.
    if (st.isFile() && st.size > MAX_CONFIG_BYTES) {
      throw new ConfigError('CONFIG_INVALID', [{ file, line: null, column: null, key: '', message: `the file is ${st.size} bytes: a config may be at most 1 MiB (${MAX_CONFIG_BYTES} bytes)` }]);
    }
    bytes = await readFile(absolute);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'permission denied' : String(code ?? err);
    throw new ConfigError('CONFIG_NOT_FOUND', [{ file, line: null, column: null, key: '', message: `cannot read config file: ${why}` }]);
  }
  return parseConfigText(decodeConfig(bytes, file), file, env, opts);
}

/** Bigger than any real config by far; see loadConfig. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The file as UTF-8 text. Windows editors save UTF-16 ("Unicode"): read as UTF-8 it is NUL bytes
 * between letters and was reported as "must be a YAML map". Say what it is instead.
 */
function decodeConfig(bytes: Buffer, file: string): string {
  const bom16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  const head = bytes.subarray(0, 64);
  const nuls = head.filter((b) => b === 0).length;
  if (bom16 || (head.length >= 4 && nuls >= head.length / 4)) {
    throw new ConfigError('CONFIG_SYNTAX', [{ file, line: null, column: null, key: '', message: 'the file is UTF-16 encoded: save it as UTF-8' }]);
  }
  return bytes.toString('utf8');
}

/** Validate config text; `file` is the name used in issues. Pure apart from `path.resolve`. Throws ConfigError. */
export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv, opts: LoadOptions = {}): LoadedConfig {
  const { doc, lines, at } = parseYaml(text, file);

  const envProblems = substituteEnv(doc, env);
  if (envProblems.length > 0) {
    throw new ConfigError(
      'CONFIG_ENV_MISSING',
      envProblems.map((p) => ({
        file,
        ...at(p.offset),
        key: formatPath(p.path),
        message:
          p.kind === 'missing'
            ? `environment variable ${p.name} is not set (line ${at(p.offset).line}; use \${${p.name}:-default} for a default)`
            : `malformed reference ${p.name}: write \${NAME}, \${NAME:-default}, or $\${ for a literal "\${"`,
      })),
    );
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    // Alias bombs ("billion laughs") and similar structure problems end up here.
    throw new ConfigError('CONFIG_SYNTAX', [{ file, line: null, column: null, key: '', message: (err as Error).message }]);
  }

  const locate = makeLocator(doc, lines);
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((i) => schemaIssues(i, data, file, doc, lines, locate));
    throw new ConfigError('CONFIG_INVALID', sortIssues(issues));
  }
  const { errors, warnings } = crossCheck(parsed.data, file, locate);
  if (errors.length > 0) throw new ConfigError('CONFIG_INVALID', sortIssues(errors));

  const abs = path.resolve(opts.cwd ?? process.cwd(), file);
  const dir = path.dirname(abs);
  const sqlite = parsed.data.storage.sqlite;
  const postgres = parsed.data.storage.postgres;
  return { config: parsed.data, file: abs, dir, sqlitePath: sqlite === ':memory:' ? sqlite : path.resolve(dir, sqlite), ...(postgres ? { postgresUrl: postgres } : {}), warnings: sortIssues(warnings) };
}

type ZodIssue = z.core.$ZodIssue;

/** One zod issue -> config issues (an unknown-keys issue becomes one per key, at that key). */
function schemaIssues(issue: ZodIssue, data: unknown, file: string, doc: Document, lines: LineCounter, locate: Locate): ConfigIssue[] {
  const p = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(p);
    return issue.keys.map((k) => ({
      file,
      ...locateKey(doc, lines, p, k),
      key: formatPath([...p, k]),
      message: `unknown key "${k}"${hint(k, known)}`,
    }));
  }
  if (issue.code === 'invalid_union') {
    // Report the branch that got furthest: for `{ group: x, typo: 1 }` that is the object branch.
    const branches = issue.errors.filter((b) => b.length > 0);
    const best = branches.sort((a, b) => depth(b) - depth(a))[0];
    if (best && depth(best) > 0) return best.flatMap((i) => schemaIssues({ ...i, path: [...p, ...i.path] } as ZodIssue, data, file, doc, lines, locate));
  }
  // Every message names the value it judges (spec section 1): `"1" must be an extension of 2 to 8 digits`.
  const value = valueAt(data, p);
  let message = withValue(value, issue.message, p);
  if (issue.code === 'invalid_type' && value === undefined) message = 'is required';
  else if (issue.code === 'invalid_type' && p.length === 0) message = `the config must be a YAML map of keys (users, numbers, ...), not ${kindOf(value)}`;
  else if (issue.code === 'invalid_type' && value === null) message = `is empty: expected ${expectedName(issue.expected)}`;
  else if (issue.code === 'invalid_type') message = typeMessage(value, issue.expected, p, issue.message);
  else if (issue.code === 'invalid_key') {
    const last = p[p.length - 1];
    const pos = locateKey(doc, lines, p.slice(0, -1), String(last));
    return [{ file, ...pos, key: formatPath(p), message: `bad name ${showValue(last)}: ${issue.issues.map((i) => i.message).join('; ')}` }];
  } else if (issue.code === 'invalid_value' && issue.values.length > 1) {
    const allowed = issue.values.map(String);
    message = `${showValue(value, p)} is not one of ${allowed.join(', ')}${typeof value === 'string' ? hint(value, allowed) : ''}`;
  } else if (issue.code === 'invalid_union') message = withValue(value, 'must be a ring group id or { group, ringSeconds }', p);
  else if (Array.isArray(value) && value.length === 0) message = `is an empty list: ${issue.message}`;
  return [{ file, ...locate(p), key: formatPath(p), message }];
}

function depth(issues: ZodIssue[]): number {
  return Math.max(...issues.map((i) => (i.code === 'invalid_type' && i.path.length === 0 ? -1 : i.path.length + 1)));
}


/** The keys the schema allows at `p`, for "did you mean" hints. */
function knownKeys(p: readonly PropertyKey[]): string[] {
  let schema: unknown = configSchema;
  const step = (s: unknown): unknown => {
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return undefined;
    if (['optional', 'default', 'nullable', 'prefault', 'readonly', 'nonoptional'].includes(def['type'] as string)) return step(def['innerType']);
    if (def['type'] === 'pipe') return step(def['in']);
    return s;
  };
  const objectOf = (s: unknown): Record<string, unknown> | undefined => {
    const u = step(s) as { _zod: { def: Record<string, unknown> } } | undefined;
    const def = u?._zod.def;
    if (!def) return undefined;
    if (def['type'] === 'object') return def['shape'] as Record<string, unknown>;
    if (def['type'] === 'union') for (const o of def['options'] as unknown[]) if (objectOf(o)) return objectOf(o);
    return undefined;
  };
  for (const seg of p) {
    const u = step(schema) as { _zod: { def: Record<string, unknown> } } | undefined;
    const def = u?._zod.def;
    if (!def) return [];
    if (def['type'] === 'array') schema = def['element'];
    else if (def['type'] === 'record') schema = def['valueType'];
    else schema = objectOf(u)?.[String(seg)];
  }
  return Object.keys(objectOf(schema) ?? {});
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
