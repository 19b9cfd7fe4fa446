/**
 * The shape of src/, as its imports show it (issue 9): dependencies point one way.
 * - no import circle, type-only imports included (a circle of types is still a knot to untie);
 * - the core (everything but the adapters, the simulators and the wiring) imports no backend,
 *   no simulator and no wiring: the contract it drives lives in src/call/contract.ts;
 * - a simulator imports no backend, a backend no simulator, and neither backend the other: what
 *   they share (the ESL codec, the cause table, the dial-string guard) lives in the core;
 * - no file in src/ is over 350 lines (small files, the house rule).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const MAX_LINES = 350;

type Graph = Map<string, string[]>;

/** Every .ts file under `dir`, relative to the repo (`src/call/session.ts`). */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

/** The relative imports of one file (static, `export ... from`, `import type`, dynamic `import()`), as repo paths. */
export function importsOf(file: string, text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** The import graph of src/. */
function srcGraph(): Graph {
  const g: Graph = new Map();
  for (const f of sourceFiles('src')) g.set(f, importsOf(f, readFileSync(join(ROOT, f), 'utf8')));
  return g;
}

/** Every circle of the graph: its strongly connected components of more than one file, and self-imports (Tarjan). */
export function circles(g: Graph): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return found;
}

/** Which part of the code a file belongs to. */
export function layerOf(file: string): 'asterisk-backend' | 'freeswitch-backend' | 'simulator' | 'wiring' | 'core' {
  if (file.startsWith('src/backend/asterisk/')) return 'asterisk-backend';
  if (file.startsWith('src/backend/freeswitch/')) return 'freeswitch-backend';
  if (file.startsWith('src/sim/')) return 'simulator';
  // The composition root and the programs built on it: they may wire anything together.
  if (file === 'src/controller.ts' || /^src\/(cli|demo|simulate)\//.test(file)) return 'wiring';
  return 'core';
}

const FORBIDDEN: Record<ReturnType<typeof layerOf>, ReadonlyArray<ReturnType<typeof layerOf>>> = {
  core: ['asterisk-backend', 'freeswitch-backend', 'simulator', 'wiring'],
  simulator: ['asterisk-backend', 'freeswitch-backend', 'wiring'],
  'asterisk-backend': ['freeswitch-backend', 'simulator', 'wiring'],
  'freeswitch-backend': ['asterisk-backend', 'simulator', 'wiring'],
  wiring: [],
};

/** Imports that cross a line they must not cross: `from -> to (from layer -> to layer)`. */
export function forbiddenImports(g: Graph): string[] {
  const bad: string[] = [];
  for (const [from, tos] of g) {
    for (const to of tos) {
      const a = layerOf(from);
      const b = layerOf(to);
      if (FORBIDDEN[a].includes(b)) bad.push(`${from} -> ${to} (${a} imports ${b})`);
    }
  }
  return bad;
}

describe('the shape of src/', () => {
  const g = srcGraph();

  it('given the guard itself, then it finds a circle, a forbidden import and a type-only import', () => {
    const knot: Graph = new Map([
      ['src/sim/a.ts', ['src/sim/b.ts']],
      ['src/sim/b.ts', ['src/sim/c.ts']],
      ['src/sim/c.ts', ['src/sim/a.ts', 'src/backend/freeswitch/x.ts']],
      ['src/backend/freeswitch/x.ts', []],
      ['src/call/session.ts', ['src/backend/asterisk/call.ts']],
      ['src/backend/asterisk/call.ts', []],
    ]);
    expect(circles(knot)).toEqual([['src/sim/a.ts', 'src/sim/b.ts', 'src/sim/c.ts']]);
    expect(forbiddenImports(knot)).toEqual([
      'src/sim/c.ts -> src/backend/freeswitch/x.ts (simulator imports freeswitch-backend)',
      'src/call/session.ts -> src/backend/asterisk/call.ts (core imports asterisk-backend)',
    ]);
    expect(importsOf('src/call/a.ts', "import type { X } from './b.js';\nexport { Y } from '../c/d.js';\nconst m = await import('./e.js');")).toEqual([
      'src/call/b.ts',
      'src/c/d.ts',
      'src/call/e.ts',
    ]);
  });

  it('given every import in src/, then no import circle remains', () => {
    expect(g.size).toBeGreaterThan(50);
    expect(circles(g)).toEqual([]);
  });

  it('given every import in src/, then no core file imports a backend or a simulator, no simulator a backend, no backend another', () => {
    expect(forbiddenImports(g)).toEqual([]);
  });


  it(`given every file in src/, then none is over ${MAX_LINES} lines`, () => {
    const long = [...g.keys()]
      .map((f) => ({ f, lines: readFileSync(join(ROOT, f), 'utf8').split('\n').length - 1 }))
      .filter((x) => x.lines > MAX_LINES)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(long).toEqual([]);
  });
});
