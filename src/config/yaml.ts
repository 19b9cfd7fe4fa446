/**
 * Parsing a YAML file whose problems are reported to an admin: the document with a line counter,
 * and every syntax error (a duplicate key too) as a ConfigIssue with its line and key path.
 * Shared by the config loader and `simulate`'s scenario files.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { formatPath, makeLocator, pathAtOffset } from './locate.js';

export interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
  /** 1-based line and column of a character offset. */
  at(offset: number): { line: number; column: number };
}

/** Parse `text`; throws ConfigError CONFIG_SYNTAX naming every syntax error's line. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  // prettyErrors off: we place the line ourselves and keep messages to one line.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    throw new ConfigError('CONFIG_SYNTAX', doc.errors.map((e) => syntaxIssue(doc, lines, file, e.code, e.message, e.pos[0], at)));
  }
  return { doc, lines, at };
}

function syntaxIssue(doc: Document, lines: LineCounter, file: string, code: string, message: string, offset: number, at: (o: number) => { line: number; column: number }): ConfigIssue {
  if (code === 'DUPLICATE_KEY') {
    const { path: p, key } = pathAtOffset(doc, offset);
    // The locator finds the first pair with that key: the line the admin meant to keep, or to change.
    const first = key === null ? null : makeLocator(doc, lines)([...p, key]).line;
    const firstAt = first === null || first === at(offset).line ? '' : ` (first at line ${first})`;
    return { file, ...at(offset), key: formatPath(key === null ? p : [...p, key]), message: `duplicate key${key === null ? '' : ` "${key}"`}${firstAt}: each key may appear once in a map` };
  }
  return { file, ...at(offset), key: '', message: `YAML syntax error: ${message.split('\n')[0]}` };
}
