/**
 * RFC 4180 record scanner over decoded text, written as a char-code state machine.
 *
 * The scanner is restartable rather than resumable: `next()` either yields one complete record
 * from `buf[pos..]` or answers NEED_MORE without changing any state, and the caller retries the
 * same record once more text has arrived (the caller keeps the unconsumed tail). That makes chunk
 * boundaries (inside a quoted field, between CR and LF, between `"` and `"`) trivially correct.
 *
 * Rules:
 * - records end at LF, CRLF or a lone CR (outside quotes); the end of the text ends the last record;
 *   a text that ends right after a line break has no extra empty record;
 * - a field is quoted only when `"` is its first character; `""` inside it is one `"`; delimiters and
 *   line breaks inside quotes are data; text after the closing quote is kept literally (lenient);
 *   a `"` in the middle of an unquoted field is an ordinary character;
 * - an unterminated quote at the end of the text runs to the end of the text.
 * - physical lines are counted (LF, CRLF, lone CR each one line) so that every record knows the
 *   1-based line it starts on, also after records that span several lines.
 */

export const NEED_MORE = -1;

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvScanner {
  readonly delim: number;
  /**
   * Fields of the last record, as offsets into the scanned text: field k is buf[fs[k], fe[k]),
   * unless fq[k] === 1, in which case its value is the string fv[k] (a quoted field whose value is
   * not one contiguous range of the text: it contained `""`, or text after the closing quote).
   * Offsets, not strings: the hot loop allocates nothing for the usual unquoted field.
   */
  fs = new Int32Array(64);
  fe = new Int32Array(64);
  fq = new Uint8Array(64);
  fv: string[] = [];
  nf = 0;
  /** Text offsets of the last record (end excludes the line break). */
  recStart = 0;
  recEnd = 0;
  /** 1-based physical line on which the last record starts. */
  recLine = 0;
  /** Line number on which the next record starts. */
  line = 1;

  constructor(delimiter: string) {
    if (delimiter.length !== 1) throw new Error("delimiter must be one character");
    this.delim = delimiter.charCodeAt(0);
  }

  /** The value of field k of the last record. */
  cell(buf: string, k: number): string {
    return this.fq[k] === 1 ? this.fv[k] : buf.slice(this.fs[k], this.fe[k]);
  }

  /** All fields of the last record as strings (header detection; not for the hot path). */
  cells(buf: string): string[] {
    const out: string[] = [];
    for (let k = 0; k < this.nf; k++) out.push(this.cell(buf, k));
    return out;
  }

  private grow(): void {
    const n = this.fs.length * 2;
    const fs = new Int32Array(n);
    fs.set(this.fs);
    const fe = new Int32Array(n);
    fe.set(this.fe);
    const fq = new Uint8Array(n);
    fq.set(this.fq);
    this.fs = fs;
    this.fe = fe;
    this.fq = fq;
  }

  /**
   * Scans one record starting at `pos` (which must be < buf.length). Returns the offset after the
   * record's line break, or NEED_MORE when the record may continue beyond `buf` (only if !final).
   */
  next(buf: string, pos: number, final: boolean): number {
    const len = buf.length;
    const d = this.delim;
    const start = pos;
    let nf = 0;
    let extraLines = 0;
    let c = 0;
    for (;;) {
      if (nf === this.fs.length) this.grow();
      // ---- one field, starting at pos
      if (pos < len && buf.charCodeAt(pos) === QUOTE) {
        let p = pos + 1;
        const contentStart = p;
        let seg = p;
        let val = "";
        let escaped = false;
        let closed = false;
        while (p < len) {
          c = buf.charCodeAt(p);
          if (c === QUOTE) {
            if (p + 1 < len) {
              if (buf.charCodeAt(p + 1) === QUOTE) {
                val += buf.slice(seg, p + 1);
                escaped = true;
                p += 2;
                seg = p;
                continue;
              }
            } else if (!final) {
              return NEED_MORE; // cannot tell `"` + `"` from a closing quote yet
            }
            closed = true;
            break;
          }
          if (c === LF) extraLines++;
          else if (c === CR && (p + 1 >= len || buf.charCodeAt(p + 1) !== LF)) extraLines++;
          p++;
        }
        if (!closed && !final) return NEED_MORE;
        const contentEnd = p; // closing quote, or end of text for an unterminated quote
        if (closed) p++;
        // Lenient: characters between the closing quote and the delimiter are kept as they are.
        const tail = p;
        while (p < len) {
          c = buf.charCodeAt(p);
          if (c === d || c === LF || c === CR) break;
          p++;
        }
        if (escaped || p > tail) {
          this.fq[nf] = 1;
          this.fv[nf] = val + buf.slice(seg, contentEnd) + buf.slice(tail, p);
        } else {
          this.fq[nf] = 0;
          this.fs[nf] = contentStart;
          this.fe[nf] = contentEnd;
        }
        nf++;
        pos = p;
      } else {
        const s = pos;
        while (pos < len) {
          c = buf.charCodeAt(pos);
          if (c === d || c === LF || c === CR) break;
          pos++;
        }
        this.fq[nf] = 0;
        this.fs[nf] = s;
        this.fe[nf] = pos;
        nf++;
      }
      // ---- after the field: delimiter, line break or end of text
      if (pos >= len) {
        if (!final) return NEED_MORE;
        this.finish(start, len, nf, extraLines);
        return len;
      }
      c = buf.charCodeAt(pos);
      if (c === d) {
        pos++;
        continue;
      }
      const end = pos;
      if (c === CR) {
        if (pos + 1 >= len) {
          if (!final) return NEED_MORE; // an LF may follow in the next chunk
          pos++;
        } else {
          pos += buf.charCodeAt(pos + 1) === LF ? 2 : 1;
        }
      } else {
        pos++;
      }
      this.finish(start, end, nf, extraLines);
      return pos;
    }
  }

  private finish(start: number, end: number, nf: number, extraLines: number): void {
    this.nf = nf;
    this.recStart = start;
    this.recEnd = end;
    this.recLine = this.line;
    this.line += 1 + extraLines;
  }
}

/**
 * Skips over one over-long record without keeping its content (an unclosed quote can otherwise
 * swallow the rest of a 500 MB file into one string). Fed chunk by chunk; keeps only the first
 * `keepChars` characters for the issue's `raw` text.
 */
export class RecordSkipper {
  private readonly delim: number;
  private readonly keepChars: number;
  /** 0 field start, 1 unquoted field, 2 quoted field, 3 quote seen inside a quoted field. */
  private state = 0;
  private prevCR = false;
  /** Line breaks inside quoted fields so far. */
  extraLines = 0;
  head = "";
  /** Set when the record ended on a CR: an LF at the start of the next text belongs to it. */
  endedOnCR = false;

  constructor(delim: number, keepChars: number) {
    this.delim = delim;
    this.keepChars = keepChars;
  }

  /** Consumes text from `pos`; returns the offset after the record's line break, or NEED_MORE. */
  feed(buf: string, pos: number): number {
    if (this.head.length < this.keepChars) this.head += buf.slice(pos, pos + (this.keepChars - this.head.length));
    const d = this.delim;
    const len = buf.length;
    let state = this.state;
    for (let p = pos; p < len; p++) {
      const c = buf.charCodeAt(p);
      if (state === 3) {
        if (c === QUOTE) {
          state = 2;
          continue;
        }
        state = 1; // closed; fall through to unquoted handling
      }
      if (state === 2) {
        if (c === QUOTE) state = 3;
        else if (c === LF) {
          if (!this.prevCR) this.extraLines++;
        } else if (c === CR) this.extraLines++;
        this.prevCR = c === CR;
        continue;
      }
      // state 0 or 1
      if (c === d) state = 0;
      else if (c === LF || c === CR) {
        this.endedOnCR = c === CR;
        this.state = 0;
        return p + 1;
      } else if (state === 0 && c === QUOTE) {
        state = 2;
        this.prevCR = false;
      } else state = 1;
    }
    this.state = state;
    return NEED_MORE;
  }
}
