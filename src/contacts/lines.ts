/**
 * Line numbers for CSV records. csv-parse's `info.lines` is the line where a record ENDS, and it
 * counts a CRLF inside a quoted field as two lines; admins want the line where a row STARTS.
 */

function breaksIn(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) {
    if (f.indexOf('\n') === -1 && f.indexOf('\r') === -1) continue;
    n += f.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return n;
}

/** Follows the parser record by record (call it from csv-parse's synchronous on_record / on_skip). */
export class LineTracker {
  /** The start line of the next record, while we are in step with the parser. */
  private next = 1;
  /** Our line number minus csv-parse's, for resynchronising after a skipped record. */
  private delta = 0;
  private lost = false;

  /** The start line of a record the parser emits, given its fields and csv-parse's `info.lines`. */
  record(fields: readonly string[], parserLines: number): number {
    const breaks = breaksIn(fields);
    // After a skipped (malformed) record we do not know how many lines it spanned: ask the parser.
    const start = this.lost ? Math.max(1, parserLines + this.delta - breaks) : this.next;
    this.delta = start + breaks - parserLines;
    this.next = start + breaks + 1;
    this.lost = false;
    return start;
  }

  /** The start line of a record the parser skipped; `parserLines` is the error's `lines`. */
  skipped(parserLines: number | undefined): number {
    const line = this.lost ? Math.max(1, (parserLines ?? this.next) + this.delta) : this.next;
    this.lost = true;
    return line;
  }
}
