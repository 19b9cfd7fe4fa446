/**
 * Checks that span several parts of the config: references between sections, duplicates
 * and routing loops. Formats, ranges and enums belong to src/config/schema.ts; this file
 * only sees a config that already passed the schema.
 */
import type { ConfigIssue } from '../errors.js';
import type { Config } from './schema.js';
import { formatPath, type KeyPath, type Locate } from './locate.js';
import { ROUTES_NOTHING, routesNothing } from './reload-guard.js';
import { showValue } from './messages.js';
import { checkSchedules } from './crosscheck-schedules.js';

/** What the cross-checks found: errors refuse the config, warnings are shown only. */
export interface CrossCheckResult {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** Run every cross-section check over a schema-valid config. Pure: no I/O. */
export function crossCheck(config: Config, file: string, locate: Locate): CrossCheckResult {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const issue = (path: KeyPath, message: string): ConfigIssue => ({ file, ...locate(path), key: formatPath(path), message });
  const error = (path: KeyPath, message: string) => errors.push(issue(path, message));
  const warn = (path: KeyPath, message: string) => warnings.push(issue(path, message));

  // Several controllers share one PostgreSQL: each call-log row and each lock names its node.
  if (config.storage.postgres !== undefined && config.node === undefined) error(['storage', 'postgres'], 'needs `node: NAME` (this controller\'s name among the controllers sharing the database)');

  const userIds = new Set(config.users.map((u) => u.id));
  const groupIds = new Set(config.ringGroups.map((g) => g.id));
  const distributionIds = new Set(config.distributions.map((d) => d.id));
  const inbound = new Set(config.numbers.map((n) => n.number));
  /** ` (numbers[2], line 9)`: where one of our own numbers is listed, for the loop messages. */
  const listedAt = (number: string) => {
    const i = config.numbers.findIndex((n) => n.number === number);
    const line = locate(['numbers', i, 'number']).line;
    return ` (numbers[${i}]${line === null ? '' : `, line ${line}`})`;
  };

  // Duplicates name the value and the line of its first use: `+12025550200 is listed twice (first at line 31)`.
  const twice = (section: 'users' | 'ringGroups' | 'distributions' | 'numbers', key: string, values: Array<string | undefined>, whose?: (first: number) => string) =>
    noDuplicates(values, (i, first) => {
      const line = locate([section, first, key]).line;
      const where = line === null ? `${section}[${first}]` : `line ${line}`;
      error([section, i, key], `${showValue(values[i])} is listed twice (first at ${where}${whose ? `, ${whose(first)}` : ''})`);
    });
  twice('users', 'id', config.users.map((u) => u.id));
  twice('users', 'extension', config.users.map((u) => u.extension), (first) => `${config.users[first]!.id}'s`);
  twice('ringGroups', 'id', config.ringGroups.map((g) => g.id));
  twice('distributions', 'id', config.distributions.map((d) => d.id));
  twice('numbers', 'number', config.numbers.map((n) => n.number));

  const unknownUser = (path: KeyPath, id: string) => {
    if (!userIds.has(id)) error(path, `${showValue(id)} is not a user in the config${hint(id, userIds)}`);
  };

  config.users.forEach((u, i) => {
    const has = { desk: (u.desk ?? u.extension) !== undefined, app: u.app !== undefined, mobile: u.mobile !== undefined };
    const ring = u.ring ?? [];
    ring.forEach((device, j) => {
      if (!has[device]) warn(['users', i, 'ring', j], `${device} is in ${u.id}'s ring list, but ${u.id} has no ${device}`);
    });
    // The spec: a user can be rung when one device of her ring list is configured. With
    // none she is passed over by every step that names her, silently to the caller.
    if (ring.length > 0 && !ring.some((d) => has[d])) warn(['users', i, 'ring'], `[${ring.join(', ')}]: ${u.id} has none of these devices and can never be rung`);
  });

  config.numbers.forEach((n, i) => {
    if (n.user !== undefined) unknownUser(['numbers', i, 'user'], n.user);
    n.alsoRing.forEach((id, j) => unknownUser(['numbers', i, 'alsoRing', j], id));
    if (n.distribution !== undefined && !distributionIds.has(n.distribution)) {
      error(['numbers', i, 'distribution'], `${showValue(n.distribution)} is not a distribution in the config${hint(n.distribution, distributionIds)}`);
    }
    if (n.forwardTo !== undefined && inbound.has(n.forwardTo)) {
      error(['numbers', i, 'forwardTo'], `${n.forwardTo} is one of our own inbound numbers${listedAt(n.forwardTo)}: forwarding to it would loop`);
    }
    if (n.distribution !== undefined) {
      for (const key of ['user', 'forwardTo', 'alsoRing'] as const) {
        const v = n[key];
        if (v !== undefined && !(Array.isArray(v) && v.length === 0)) {
          warn(['numbers', i, key], `${Array.isArray(v) ? `[${v.join(', ')}]` : showValue(v)} is unused: the distribution ${showValue(n.distribution)} replaces the chain for this number`);
        }
      }
    }
  });

  config.ringGroups.forEach((g, i) => g.members.forEach((id, j) => unknownUser(['ringGroups', i, 'members', j], id)));

  config.distributions.forEach((d, i) =>
    d.steps.forEach((step, j) => {
      const group = typeof step === 'string' ? step : step.group;
      const path: KeyPath = typeof step === 'string' ? ['distributions', i, 'steps', j] : ['distributions', i, 'steps', j, 'group'];
      if (!groupIds.has(group)) error(path, `${showValue(group)} is not a ring group in the config${hint(group, groupIds)}`);
    }),
  );

  if (config.company.phone !== undefined && inbound.has(config.company.phone)) {
    error(['company', 'phone'], `${config.company.phone} is one of our own inbound numbers${listedAt(config.company.phone)}: ringing the company phone would loop`);
  }

  checkSchedules(config, { error, warn, hint });

  // Everything ships bound to 127.0.0.1; an address anyone on the network reaches is worth a word.
  const exposed = (path: KeyPath, listen: string | undefined) => {
    const host = listen?.slice(0, listen.lastIndexOf(':'));
    if (host !== undefined && !/^(127\.\d+\.\d+\.\d+|localhost|::1)$/i.test(host)) {
      warn(path, `${listen} is reachable from other machines${host === '0.0.0.0' ? ' (every interface)' : ''}: bind 127.0.0.1 unless a firewall guards it`);
    }
  };
  exposed(['http', 'listen'], config.http?.listen);
  exposed(['freeswitch', 'listen'], config.freeswitch?.listen);

  // Fine for `calls` or `contacts` (they need only storage); a running controller refuses to
  // reload it (src/config/reload-guard.ts): it would hang up every call.
  if (routesNothing(config)) warn([], ROUTES_NOTHING);

  return { errors, warnings };
}

/** Call `report(index, firstIndex)` for every value seen before; undefined values (an optional key left out) never clash. */
function noDuplicates(values: Array<string | undefined>, report: (index: number, first: number) => void): void {
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    if (v === undefined) return;
    const first = seen.get(v);
    if (first === undefined) seen.set(v, i);
    else report(i, first);
  });
}

/** ` (did you mean "x"?)` when `word` is a likely typo of one of `known`, else ''. */
export function hint(word: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === word.toLowerCase() ? 0 : distance(word, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== undefined && bestDistance <= allowed ? ` (did you mean "${best}"?)` : '';
}

/** Levenshtein edit distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
