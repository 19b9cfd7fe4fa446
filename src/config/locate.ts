/**
 * Map a key path (`['numbers', 0, 'forwardTo']`) back to a line and column in the YAML
 * source, so that every config issue can point the admin at the offending line.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type KeyPath = readonly PropertyKey[];

/** Where a key path points in the source. Lines and columns are 1-based. */
export interface SourcePos {
  line: number | null;
  column: number | null;
}

/** A function that finds the source position of a key path. */
export type Locate = (path: KeyPath) => SourcePos;

/** `numbers[0].forwardTo` from `['numbers', 0, 'forwardTo']`. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/**
 * Build a locator over a parsed document. A path that goes past what the file holds
 * (a missing key) resolves to its deepest existing ancestor: the parent map's line.
 * The last segment resolves to its KEY when the value is a block collection (so
 * `members:` rather than its first item) and to the value otherwise.
 */
export function makeLocator(doc: Document, lines: LineCounter): Locate {
  const pos = (offset: number | undefined): SourcePos => {
    if (offset === undefined) return { line: null, column: null };
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  return (path) => {
    let node: unknown = deref(doc, doc.contents);
    let keyNode: unknown = undefined;
    let best: number | undefined = rangeStart(node) ?? 0;
    for (const seg of path) {
      let next: unknown = undefined;
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
        if (pair) {
          keyNode = pair.key;
          next = deref(doc, pair.value as Node | null);
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = deref(doc, node.items[seg] as Node | null);
      }
      if (next === undefined && keyNode === undefined) return pos(best);
      node = next;
      best = (isScalar(node) || node === null ? undefined : rangeStart(keyNode)) ?? rangeStart(node) ?? rangeStart(keyNode) ?? best;
    }
    return pos(best);
  };
}

/** The source offset where a key node starts, for a key found by text in a map. */
export function locateKey(doc: Document, lines: LineCounter, path: KeyPath, key: string): SourcePos {
  let node: unknown = deref(doc, doc.contents);
  for (const seg of path) {
    if (isMap(node)) node = deref(doc, node.items.find((p) => keyText(p.key) === String(seg))?.value as Node | null);
    else if (isSeq(node) && typeof seg === 'number') node = deref(doc, node.items[seg] as Node | null);
    else node = undefined;
  }
  const pair = isMap(node) ? node.items.find((p) => keyText(p.key) === key) : undefined;
  const offset = rangeStart(pair?.key) ?? rangeStart(node);
  if (offset === undefined) return makeLocator(doc, lines)(path);
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** The key path of the map that contains source `offset` and the key written there, if any. */
export function pathAtOffset(doc: Document, offset: number): { path: (string | number)[]; key: string | null } {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = rangeStart(p.key);
        return k === offset || contains(p.value, offset);
      });
      if (!pair) return { path, key: null };
      if (rangeStart(pair.key) === offset) return { path, key: keyText(pair.key) };
      path.push(keyText(pair.key) ?? '?');
      node = pair.value;
    } else if (isSeq(node)) {
      const idx = node.items.findIndex((it) => contains(it, offset));
      if (idx === -1) return { path, key: null };
      path.push(idx);
      node = node.items[idx];
    } else return { path, key: null };
  }
}

function keyText(key: unknown): string | null {
  if (isScalar(key)) return String(key.value);
  return key === null || key === undefined ? null : String(key);
}

function rangeStart(node: unknown): number | undefined {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? r[0] : undefined;
}

function contains(node: unknown, offset: number): boolean {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return !!r && r[0] <= offset && offset < r[2];
}

/** Follow an alias (`*anchor`) to the node it names; the alias's own line is less useful. */
function deref(doc: Document, node: Node | null | undefined): unknown {
  if (isAlias(node)) return node.resolve(doc) ?? node;
  return node ?? null;
}

/** The parsed value at key path `p`, or undefined where the path does not lead. */
export function valueAt(data: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const seg of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}
