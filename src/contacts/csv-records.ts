/**
 * CSV records built from physical lines, so that every line of a contacts file is either part of
 * a record or reported with its own line number.
 *
 * Why not csv-parse: with `skip_records_with_error` a line over its record-size cap came out as
 * 32 "skipped rows at line 3" and swallowed the good rows after it, and an unterminated quote
 * swallowed the next rows into one contact with the wrong owner, silently. Here a record spans
 * several lines only when a quoted field holds a line break AND the joined record has the header's
 * field count; otherwise its first line is reported and the lines after it are read again as rows
 * of their own. A line over the size cap is one error, read past without being held in memory.
 */

/** One line of the file: text without its line break, 1-based number, the break itself. */
export interface PhysicalLine {
  text: string;
  line: number;
  eol: string;
  /** Longer than the cap: `text` is empty and the line is reported, not parsed. */
  tooLong: boolean;
}

/** A record (fields and the line it starts on), or a line refused with the reason. */
export type CsvItem = { fields: string[]; line: number } | { error: string; line: number };

/** A quoted field may span at most this many lines: a stray quote must not swallow the file. */
const MAX_RECORD_LINES = 100;

/** Split a byte stream into lines; a line over `maxBytes` is yielded once, empty, with `tooLong`. */
export async function* physicalLines(chunks: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<PhysicalLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let line = 1;
  let first = true;
  const finish = (rest: Buffer[]): PhysicalLine => {
    let buf = rest.length === 1 ? rest[0]! : Buffer.concat(rest);
    // The byte-order mark some spreadsheets write: not part of the header's first column.
    if (first && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    first = false;
    const cr = buf.length > 0 && buf[buf.length - 1] === 0x0d;
    const text = tooLong ? '' : buf.subarray(0, cr ? buf.length - 1 : buf.length).toString('utf8');
    return { text, line: line++, eol: cr ? '\r\n' : '\n', tooLong };
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      // Splitting on the byte 0x0A is safe in UTF-8: it never occurs inside a multi-byte character.
      const nl = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      size += piece.length;
      if (size > maxBytes) {
        tooLong = true;
        parts = [];
      } else if (piece.length) parts.push(piece);
      if (nl === -1) break;
      yield finish(parts.length ? parts : [Buffer.alloc(0)]);
      parts = [];
      size = 0;
      tooLong = false;
      start = nl + 1;
    }
  }
  if (size > 0 || tooLong) yield finish(parts.length ? parts : [Buffer.alloc(0)]);
}

/** The fields of one record's text; `open` when it ends inside a quoted field. */
export function splitFields(text: string): { fields: string[]; open: boolean; error?: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) return { fields, open: true };
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      fields.push(value);
      if (j === text.length) return { fields, open: false };
      if (text[j] !== ',') return { fields, open: false, error: 'malformed CSV: text after a closing quote' };
      i = j + 1;
    } else {
      // An unquoted field: a quote inside it is an ordinary character (Ivy "Q" Ito).
      const comma = text.indexOf(',', i);
      fields.push(text.slice(i, comma === -1 ? text.length : comma));
      if (comma === -1) return { fields, open: false };
      i = comma + 1;
    }
  }
}

/**
 * Turns physical lines into records. `expectFields` is set once the header is known: a record
 * joined across lines must have that many fields, or its lines are read again one by one.
 */
export class RecordAssembler {
  expectFields: number | null = null;
  private pending: PhysicalLine[] = [];

  /** Feed one line; returns the records and errors it completes, in line order. */
  push(l: PhysicalLine): CsvItem[] {
    const out: CsvItem[] = [];
    this.take(l, out);
    return out;
  }

  /** End of file: a record still open is an unterminated quote. */
  end(): CsvItem[] {
    const out: CsvItem[] = [];
    if (this.pending.length) this.giveUp(out);
    return out;
  }

  private take(l: PhysicalLine, out: CsvItem[]): void {
    if (l.tooLong) {
      if (this.pending.length) this.giveUp(out);
      out.push({ line: l.line, error: 'the line is longer than 1,000,000 bytes' });
      return;
    }
    const lines = [...this.pending, l];
    const text = lines.map((p, k) => (k === 0 ? p.text : lines[k - 1]!.eol + p.text)).join('');
    const r = splitFields(text);
    if (r.open) {
      this.pending = lines;
      if (lines.length >= MAX_RECORD_LINES) this.giveUp(out);
      return;
    }
    const joined = lines.length > 1;
    if (joined && (r.error || (this.expectFields !== null && r.fields.length !== this.expectFields))) {
      // The quote that opened on the first line was never meant to span lines.
      this.pending = lines;
      return this.giveUp(out);
    }
    this.pending = [];
    out.push(r.error ? { line: lines[0]!.line, error: r.error } : { fields: r.fields, line: lines[0]!.line });
  }

  /** Report the first pending line as an unterminated quote and read the lines after it again. */
  private giveUp(out: CsvItem[]): void {
    const [first, ...rest] = this.pending;
    this.pending = [];
    if (!first) return;
    out.push({ line: first.line, error: 'malformed CSV: a quoted field is not closed on its line' });
    for (const l of rest) this.take(l, out);
  }
}
