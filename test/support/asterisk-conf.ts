/**
 * A small parser for Asterisk's .conf syntax, enough to check the shipped configs in tests:
 * sections `[name]`, templates `[name](!)` and `[name](tpl1,tpl2)`, `key = value`,
 * `key => value`, dialplan `exten => pattern,prio,App(args)` and `same => n,...`,
 * `;` comments (and `;-- block --;`), `#include`. Bad input is reported in `issues`, never thrown.
 */

export interface ConfEntry {
  key: string;
  value: string;
  /** `=` or `=>`: Asterisk treats them alike except in the dialplan, where `=>` is the norm. */
  op: '=' | '=>';
  line: number;
}

export interface ConfSection {
  name: string;
  /** `(!)`: a template, not an object of its own. */
  isTemplate: boolean;
  /** Templates named in `(a,b)`, whose entries come first. */
  templates: string[];
  /** `(+)`: adds to an earlier section of the same name. */
  additive: boolean;
  entries: ConfEntry[];
  line: number;
}

export interface ConfIssue {
  line: number;
  message: string;
}

export interface ConfFile {
  /** Entries before the first section header (an include-inside-a-section snippet). */
  preamble: ConfEntry[];
  /** In file order; names may repeat (pjsip.conf uses one name per object type). */
  sections: ConfSection[];
  includes: { path: string; line: number }[];
  issues: ConfIssue[];
}

/** Strip `;` comments (not `\;`), tracking `;-- ... --;` blocks across lines. */
function stripComments(lines: string[]): string[] {
  let inBlock = false;
  return lines.map((raw) => {
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      if (inBlock) {
        if (raw.startsWith('--;', i)) {
          inBlock = false;
          i += 2;
        }
        continue;
      }
      if (raw[i] === '\\' && raw[i + 1] === ';') {
        out += ';';
        i++;
        continue;
      }
      if (raw[i] === ';') {
        if (raw.startsWith(';--', i)) {
          inBlock = true;
          i += 2;
          continue;
        }
        break;
      }
      out += raw[i];
    }
    return out.trim();
  });
}

const HEADER_RE = /^\[([^\]]+)\]\s*(?:\(([^)]*)\))?$/;
const ENTRY_RE = /^([^=]+?)\s*(=>|=)\s*(.*)$/;
const INCLUDE_RE = /^#(?:include|tryinclude)\s+"?([^"]+?)"?$/;

/** Parse the text of one .conf file. */
export function parseAsteriskConf(text: string): ConfFile {
  const file: ConfFile = { preamble: [], sections: [], includes: [], issues: [] };
  const lines = stripComments(text.split(/\r?\n/));
  let current: ConfSection | null = null;
  lines.forEach((content, idx) => {
    const line = idx + 1;
    if (content === '') return;
    if (content.startsWith('#')) {
      const inc = INCLUDE_RE.exec(content);
      if (inc?.[1]) file.includes.push({ path: inc[1], line });
      else if (!content.startsWith('#exec')) file.issues.push({ line, message: `unknown directive: ${content}` });
      return;
    }
    if (content.startsWith('[')) {
      const header = HEADER_RE.exec(content);
      if (!header?.[1]) {
        file.issues.push({ line, message: `malformed section header: ${content}` });
        current = null;
        return;
      }
      const opts = (header[2] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      current = {
        name: header[1].trim(),
        isTemplate: opts.includes('!'),
        additive: opts.includes('+'),
        templates: opts.filter((o) => o !== '!' && o !== '+'),
        entries: [],
        line,
      };
      file.sections.push(current);
      return;
    }
    const entry = ENTRY_RE.exec(content);
    if (!entry?.[1] || !entry[2]) {
      file.issues.push({ line, message: `not a section, key = value or directive: ${content}` });
      return;
    }
    const parsed: ConfEntry = { key: entry[1].trim(), op: entry[2] as '=' | '=>', value: (entry[3] ?? '').trim(), line };
    (current ? current.entries : file.preamble).push(parsed);
  });
  return file;
}

/** The non-template sections called `name`. */
export function sectionsNamed(file: ConfFile, name: string): ConfSection[] {
  return file.sections.filter((s) => s.name === name && !s.isTemplate);
}

/**
 * A section's entries with its templates' entries first (recursively), as Asterisk applies
 * them. An unknown template is reported in `issues` by `templateIssues`, and skipped here.
 */
export function resolvedEntries(file: ConfFile, section: ConfSection, seen: Set<string> = new Set()): ConfEntry[] {
  const inherited = section.templates.flatMap((t) => {
    if (seen.has(t)) return [];
    const tpl = file.sections.find((s) => s.name === t && s.line < section.line);
    return tpl ? resolvedEntries(file, tpl, new Set([...seen, t])) : [];
  });
  return [...inherited, ...section.entries];
}

/** The last value of `key` in a section (templates included), or undefined. */
export function valueOf(file: ConfFile, section: ConfSection, key: string): string | undefined {
  const hits = resolvedEntries(file, section).filter((e) => e.key === key);
  return hits[hits.length - 1]?.value;
}

/** Templates that a section names but that are not defined above it. */
export function templateIssues(file: ConfFile): ConfIssue[] {
  return file.sections.flatMap((s) =>
    s.templates
      .filter((t) => !file.sections.some((d) => d.name === t && d.line < s.line))
      .map((t) => ({ line: s.line, message: `[${s.name}] uses template ${t}, which is not defined above it` })),
  );
}

/** One dialplan step: `exten => pattern,priority(label),App(args)`. */
export interface DialplanStep {
  pattern: string;
  /** Resolved priority number (`n` counted on from the previous step of the extension). */
  priority: number;
  label: string | null;
  app: string;
  args: string;
  line: number;
}

const STEP_RE = /^([^,]+),([^,(]+)(?:\(([^)]*)\))?,(.*)$/;
const APP_RE = /^([A-Za-z0-9_]+)\s*(?:\((.*)\))?$/s;

/**
 * The extensions of one dialplan context (a section of extensions.conf), each an ordered list
 * of steps. `same =>` continues the last `exten`; `n` is the previous priority plus one.
 */
export function dialplanOf(section: ConfSection, issues: ConfIssue[] = []): Map<string, DialplanStep[]> {
  const out = new Map<string, DialplanStep[]>();
  let last: DialplanStep | null = null;
  for (const e of section.entries) {
    if (e.key !== 'exten' && e.key !== 'same') continue;
    const text = e.key === 'same' ? `${last?.pattern ?? ''},${e.value}` : e.value;
    if (e.key === 'same' && !last) {
      issues.push({ line: e.line, message: '`same =>` with no `exten =>` before it' });
      continue;
    }
    const m = STEP_RE.exec(text);
    if (!m?.[1] || !m[2] || m[4] === undefined) {
      issues.push({ line: e.line, message: `malformed dialplan line: ${e.value}` });
      continue;
    }
    const app = APP_RE.exec(m[4].trim());
    if (!app?.[1]) {
      issues.push({ line: e.line, message: `malformed application: ${m[4]}` });
      continue;
    }
    const pattern = m[1].trim();
    const prioText = m[2].trim();
    const steps = out.get(pattern) ?? [];
    const previous = steps[steps.length - 1]?.priority ?? 0;
    const priority = prioText === 'n' ? previous + 1 : Number(prioText);
    if (!Number.isInteger(priority) || priority < 1) {
      issues.push({ line: e.line, message: `bad priority ${prioText}` });
      continue;
    }
    last = { pattern, priority, label: m[3] ?? null, app: app[1], args: app[2] ?? '', line: e.line };
    steps.push(last);
    out.set(pattern, steps);
  }
  return out;
}

/**
 * Does a dialplan pattern match an extension, as Asterisk matches them? Literal extensions
 * match exactly; `_` patterns know X (0-9), Z (1-9), N (2-9), [ranges], `.` (one or more
 * characters) and `!` (zero or more).
 */
export function matchesExten(pattern: string, exten: string): boolean {
  if (!pattern.startsWith('_')) return pattern === exten;
  let re = '';
  const p = pattern.slice(1);
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === 'X') re += '[0-9]';
    else if (c === 'Z') re += '[1-9]';
    else if (c === 'N') re += '[2-9]';
    else if (c === '.') re += '.+';
    else if (c === '!') re += '.*';
    else if (c === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) return false;
      re += `[${p.slice(i + 1, end).replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(exten);
}

/** The steps an extension runs in a context: the first pattern that matches, as a list. */
export function stepsFor(plan: Map<string, DialplanStep[]>, exten: string): DialplanStep[] {
  // Asterisk prefers exact extensions over patterns; among patterns the most specific wins.
  // These tests only need "some entry handles it", so exact first, then any pattern.
  const exact = plan.get(exten);
  if (exact) return exact;
  for (const [pattern, steps] of plan) if (matchesExten(pattern, exten)) return steps;
  return [];
}
