/** Capped exponential backoff with full jitter: attempt 0 -> up to base, doubling to at most max. */
export function backoffDelay(attempt: number, opts: { baseMs: number; maxMs: number } = { baseMs: 250, maxMs: 10_000 }, random: () => number = Math.random): number {
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 20));
  // Never 0: a tight loop against a dead Asterisk helps nobody.
  return Math.max(opts.baseMs / 4, Math.floor(random() * cap));
}
