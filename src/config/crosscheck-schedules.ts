/**
 * The cross-section checks of spec sections 7 and 9: schedules named by numbers, `whenClosed`
 * routes, duplicate schedule ids and block-list entries. Called by crossCheck.
 */
import type { Config } from './schema.js';
import type { KeyPath } from './locate.js';

/** What the checks report into: the same sinks crossCheck uses. */
export interface CheckSink {
  error(path: KeyPath, message: string): void;
  warn(path: KeyPath, message: string): void;
  hint(word: string, known: Iterable<string>): string;
}

/** Every schedule, whenClosed and block-list check over a schema-valid config. */
export function checkSchedules(config: Config, out: CheckSink): void {
  const scheduleIds = new Set<string>();
  config.schedules.forEach((s, i) => {
    const first = config.schedules.findIndex((o) => o.id === s.id);
    if (first !== i) out.error(['schedules', i, 'id'], `"${s.id}" is listed twice (first at schedules[${first}])`);
    scheduleIds.add(s.id);
  });
  const distributionIds = new Set(config.distributions.map((d) => d.id));
  const inbound = new Set(config.numbers.map((n) => n.number));

  config.numbers.forEach((n, i) => {
    if (n.schedule !== undefined && !scheduleIds.has(n.schedule)) {
      out.error(['numbers', i, 'schedule'], `unknown schedule "${n.schedule}"${out.hint(n.schedule, scheduleIds)}`);
    }
    const w = n.whenClosed;
    if (!w) return;
    if (n.schedule === undefined) out.warn(['numbers', i, 'whenClosed'], 'unused: the number has no schedule, so it is never closed');
    if (w.distribution !== undefined && !distributionIds.has(w.distribution)) {
      out.error(['numbers', i, 'whenClosed', 'distribution'], `unknown distribution "${w.distribution}"${out.hint(w.distribution, distributionIds)}`);
    }
    if (w.forwardTo !== undefined && inbound.has(w.forwardTo)) {
      out.error(['numbers', i, 'whenClosed', 'forwardTo'], `${w.forwardTo} is one of our own inbound numbers: forwarding to it would loop`);
    }
  });

  config.blocked.forEach((p, i) => {
    const first = config.blocked.indexOf(p);
    if (first !== i) out.warn(['blocked', i], `"${p}" is listed twice (first at blocked[${first}])`);
  });
}
