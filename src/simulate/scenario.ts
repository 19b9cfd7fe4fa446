/**
 * The scenario file of `switchboard simulate --calls FILE` (docker/scenarios/chain.yaml is one):
 * `calls: [{ name, to, from, hangupAfterSeconds?, at?, expect?: { outcome?, answeredBy?, rules?, legs? } }]`.
 * Problems are reported like config problems: `file:line: calls[2].expect.outcom: unknown key ...`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { hint } from '../config/crosscheck.js';
import { formatPath, locateKey, makeLocator, valueAt } from '../config/locate.js';
import { parseYaml } from '../config/yaml.js';
import type { CallOutcome } from '../call/record.js';
import type { Device, Rule } from '../routing/plan.js';

export const SCENARIO_RULES = ['distribution', 'number-user', 'contact-owner', 'also-ring', 'forwarding', 'company'] as const satisfies readonly Rule[];
export const SCENARIO_DEVICES = ['desk', 'app', 'mobile', 'forward', 'company'] as const satisfies readonly Device[];
export const SCENARIO_OUTCOMES = ['answered', 'voicemail', 'abandoned', 'dropped', 'failed'] as const satisfies readonly CallOutcome[];

const expectSchema = z.strictObject({
  outcome: z.enum(SCENARIO_OUTCOMES).optional(),
  /** null: nobody may answer. `user: null` is an outside number (forwarding, company). */
  answeredBy: z.strictObject({ user: z.string().min(1).nullable(), device: z.enum(SCENARIO_DEVICES) }).nullable().optional(),
  rules: z.array(z.enum(SCENARIO_RULES)).optional(),
  /** How many legs were rung in all. */
  legs: z.number().int('must be a whole number').min(0).max(1000).optional(),
});

const callSchema = z.strictObject({
  name: z.string().min(1, 'must not be empty').max(200),
  // Only digits and "+": the number goes into a dial string (`Local/<to>@from-trunk`).
  to: z.string().regex(/^\+?[0-9]{3,20}$/, 'must be the number called: 3 to 20 digits, optionally after "+"'),
  from: z.string().regex(/^(\+?[0-9]{2,20}|anonymous|)$/, 'must be a phone number, "anonymous" or "" (withheld)'),
  hangupAfterSeconds: z.number().positive('must be more than 0').max(3600).optional(),
  /** Seconds after the run starts; without it the call waits for the one before it to end. */
  at: z.number().min(0).max(86_400).optional(),
  expect: expectSchema.optional(),
});

export const scenarioSchema = z
  .strictObject({ calls: z.array(callSchema).min(1, 'must list at least one call') })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.calls.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['calls', i, 'name'], message: `duplicate name ${JSON.stringify(c.name)}: each call needs its own` });
      seen.add(c.name);
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioCall = Scenario['calls'][number];
export type Expectation = NonNullable<ScenarioCall['expect']>;

const KNOWN_KEYS: Record<string, readonly string[]> = {
  top: Object.keys(scenarioSchema.shape),
  call: Object.keys(callSchema.shape),
  expect: Object.keys(expectSchema.shape),
  answeredBy: ['user', 'device'],
};

/** Read and validate a scenario file; `file` is named as given in issues. Throws ConfigError. */
export async function loadScenarioFile(file: string, cwd: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : String(code ?? err);
    throw new ConfigError('CONFIG_NOT_FOUND', [{ file, line: null, column: null, key: '', message: `cannot read scenario file: ${why}` }]);
  }
  return parseScenarioText(text, file);
}

/** Validate scenario text; `file` is the name used in issues. Throws ConfigError. */
export function parseScenarioText(text: string, file: string): Scenario {
  const { doc, lines } = parseYaml(text, file);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError('CONFIG_SYNTAX', [{ file, line: null, column: null, key: '', message: (err as Error).message }]);
  }
  const parsed = scenarioSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const locate = makeLocator(doc, lines);
  const issues: ConfigIssue[] = parsed.error.issues.flatMap((issue) => {
    const p = issue.path as PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      const last = p[p.length - 1];
      const known = KNOWN_KEYS[last === undefined ? 'top' : typeof last === 'number' ? 'call' : String(last)] ?? [];
      return issue.keys.map((k) => ({ file, ...locateKey(doc, lines, p, k), key: formatPath([...p, k]), message: `unknown key "${k}"${hint(k, known)}` }));
    }
    let message = issue.message;
    const value = valueAt(data, p);
    if (p.length === 0 && issue.code === 'invalid_type') message = 'a scenario file is a YAML map with a "calls" list';
    else if (issue.code === 'invalid_type' && value === undefined) message = 'is required';
    else if (issue.code === 'invalid_value') message = `must be one of ${issue.values.map(String).join(', ')}, not ${JSON.stringify(value)}`;
    return [{ file, ...locate(p), key: formatPath(p), message }];
  });
  throw new ConfigError('CONFIG_INVALID', issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
}

