/** Summarise a V8 `.cpuprofile` (node --cpu-prof): self time by function and by package. */
import { readFile } from 'node:fs/promises';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

/** Self time of one function or package, in ms and as a share of the busy (non-idle) time. */
export interface ProfileEntry { name: string; where: string; ms: number; share: number }

/** Where a script lives: a package under node_modules, our source, or a node: built-in. */
export function packageOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : 'native';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:internal/')) return `node:internal/${url.slice(14).split('/')[0]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const src = /\/(src|bench)\/(.+)$/.exec(url);
  return src ? `${src[1]}/${src[2]!.split('/')[0]}` : url.split('/').slice(-1)[0]!;
}

function shortWhere(url: string, line: number): string {
  const nm = /node_modules\/(.+)$/.exec(url);
  const src = /\/((?:src|bench)\/.+)$/.exec(url);
  const path = nm ? nm[1]! : src ? src[1]! : url;
  return path ? `${path}:${line + 1}` : '';
}

/**
 * Top functions and packages by self time; idle time is left out of the shares. For the package
 * table a native frame (no script: a C++ binding such as a socket write or a node-sqlite3 call) is
 * charged to the nearest JS caller's package, so "sqlite3" includes the addon's own main-thread work.
 */
export async function summariseProfile(file: string, top = 15): Promise<{ busyMs: number; totalMs: number; functions: ProfileEntry[]; packages: ProfileEntry[] }> {
  const p = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  // timeDeltas[i] is the gap before sample i; charge it to the sampled node.
  for (let i = 0; i < samples.length; i++) self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i] ?? 0) / 1000);
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const callerUrl = (n: ProfileNode): string => {
    let cur: ProfileNode | undefined = n;
    while (cur && !cur.callFrame.url) cur = nodes.get(parent.get(cur.id) ?? -1);
    return cur?.callFrame.url ?? '';
  };
  const byFn = new Map<string, ProfileEntry>();
  const byPkg = new Map<string, ProfileEntry>();
  let busy = 0;
  for (const n of p.nodes) {
    const ms = self.get(n.id) ?? 0;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    busy += ms;
    const name = functionName || '(anonymous)';
    const where = shortWhere(url, lineNumber);
    const key = `${name}@${where}`;
    const f = byFn.get(key) ?? { name, where, ms: 0, share: 0 };
    f.ms += ms;
    byFn.set(key, f);
    const pkg = functionName.startsWith('(') ? functionName : packageOf(url || callerUrl(n), name);
    const g = byPkg.get(pkg) ?? { name: pkg, where: '', ms: 0, share: 0 };
    g.ms += ms;
    byPkg.set(pkg, g);
  }
  const rank = (m: Map<string, ProfileEntry>) =>
    [...m.values()].map((e) => ({ ...e, share: busy > 0 ? e.ms / busy : 0 })).sort((a, b) => b.ms - a.ms).slice(0, top);
  return { busyMs: busy, totalMs: (p.endTime - p.startTime) / 1000, functions: rank(byFn), packages: rank(byPkg) };
}
