/** Small helpers of the load benchmark: percentiles, tables, waiting with a deadline. */

/** The q-quantile (0..1) of `xs` (nearest rank); NaN for an empty list. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Median of a list (NaN for an empty one). */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Format a number with `digits` decimals; '-' for NaN. */
export function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
}

/** Print a Markdown table (right-aligned numbers) to stdout. */
export function printTable(head: string[], rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map(String));
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join(' | ')} |`;
  process.stdout.write(`${line(head)}\n|${width.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|\n`);
  for (const r of cells) process.stdout.write(`${line(r)}\n`);
}

/** Poll `check` every `everyMs` until it returns true; false when `deadlineMs` passes first. */
export async function pollUntil(check: () => Promise<boolean>, deadlineMs: number, everyMs = 200): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** CPU time (user + system, ms) between two process.cpuUsage() readings. */
export function cpuMs(a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number {
  return (b.user - a.user + b.system - a.system) / 1000;
}
