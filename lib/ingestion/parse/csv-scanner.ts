/**
 * RFC 4180 record scanner over UTF-8 bytes, written as a byte-level state machine.
 *
 * Working on bytes rather than decoded text: `"`, `,`, `;`, TAB, CR and LF are ASCII and never
 * occur inside a multi-byte UTF-8 sequence, so records can be split without decoding; strings are
 * then created only for the cells that are kept (and they do not pin a 64 KiB chunk in memory, as
 * substrings of a decoded chunk would).
 *
 * The scanner is restartable rather than resumable: `next()` either yields one complete record
 * from `b[pos..]` or answers NEED_MORE without changing any state, and the caller retries the same
 * record once more bytes have arrived (the caller keeps the unconsumed tail). That makes chunk
 * boundaries (inside a quoted field, between CR and LF, between `"` and `"`, inside a multi-byte
 * character) trivially correct.
 *
 * Rules:
 * - records end at LF, CRLF or a lone CR (outside quotes); the end of the input ends the last
 *   record; input that ends right after a line break has no extra empty record;
 * - a field is quoted only when `"` is its first character; `""` inside it is one `"`; delimiters
 *   and line breaks inside quotes are data; text after the closing quote is kept literally
 *   (lenient); a `"` in the middle of an unquoted field is an ordinary character;
 * - an unterminated quote runs to the end of the input;
 * - physical lines are counted (LF, CRLF, lone CR: one line each) so that every record knows the
 *   1-based line it starts on, also after records spanning several lines.
 */

export const NEED_MORE = -1;

const QUOTE = 34;
const LF = 10;
const CR = 13;

type SliceFn = (this: Uint8Array, start: number, end: number) => string;
const bufferProto = Buffer.prototype as unknown as { latin1Slice?: SliceFn; utf8Slice?: SliceFn };
const latin1Slice: SliceFn =
  bufferProto.latin1Slice ??
  function (this: Uint8Array, s: number, e: number) {
    return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString("latin1", s, e);
  };
const utf8Slice: SliceFn =
  bufferProto.utf8Slice ??
  function (this: Uint8Array, s: number, e: number) {
    return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString("utf8", s, e);
  };

/** b[s, e) decoded as UTF-8 (invalid sequences become U+FFFD). `b` must be a Buffer. */
export function utf8String(b: Uint8Array, s: number, e: number): string {
  for (let k = s; k < e; k++) if (b[k] >= 0x80) return utf8Slice.call(b, s, e);
  return latin1Slice.call(b, s, e); // pure ASCII: the cheapest native path
}

/** b[s, e) known to be ASCII. `b` must be a Buffer. */
export function asciiString(b: Uint8Array, s: number, e: number): string {
  return latin1Slice.call(b, s, e);
}

export class CsvScanner {
  readonly delim: number;
  /**
   * Fields of the last record, as byte offsets: field k is b[fs[k], fe[k]), unless fq[k] === 1, in
   * which case its value is the string fv[k] (a quoted field whose value is not one contiguous
   * range: it contained `""`, or text after the closing quote). The hot loop allocates nothing.
   */
  fs = new Int32Array(64);
  fe = new Int32Array(64);
  fq = new Uint8Array(64);
  fv: string[] = [];
  nf = 0;
  /** Byte offsets of the last record (end excludes the line break). */
  recStart = 0;
  recEnd = 0;
  /** 1-based physical line on which the last record starts. */
  recLine = 0;
  /** Line number on which the next record starts. */
  line = 1;

  /** 1 for the bytes that end an unquoted field: the delimiter, CR, LF. */
  private readonly stop = new Uint8Array(256);

  constructor(delimiter: string) {
    if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 127) throw new Error("delimiter must be one ASCII character");
    this.delim = delimiter.charCodeAt(0);
    this.stop[this.delim] = 1;
    this.stop[LF] = 1;
    this.stop[CR] = 1;
  }

  /** The value of field k of the last record, decoded. */
  cell(b: Uint8Array, k: number): string {
    return this.fq[k] === 1 ? this.fv[k] : utf8String(b, this.fs[k], this.fe[k]);
  }

  /** All fields of the last record, decoded (header detection; not for the hot path). */
  cells(b: Uint8Array): string[] {
    const out: string[] = [];
    for (let k = 0; k < this.nf; k++) out.push(this.cell(b, k));
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
   * Scans one record starting at `pos` (< b.length). Returns the offset after the record's line
   * break, or NEED_MORE when the record may continue beyond `b` (only if !final).
   */
  next(b: Uint8Array, pos: number, final: boolean): number {
    const len = b.length;
    const d = this.delim;
    const stop = this.stop;
    const start = pos;
    let nf = 0;
    let extraLines = 0;
    let c = 0;
    for (;;) {
      if (nf === this.fs.length) this.grow();
      // ---- one field, starting at pos
      if (pos < len && b[pos] === QUOTE) {
        let p = pos + 1;
        const contentStart = p;
        let escaped = false;
        let closed = false;
        while (p < len) {
          c = b[p];
          if (c === QUOTE) {
            if (p + 1 < len) {
              if (b[p + 1] === QUOTE) {
                escaped = true;
                p += 2;
                continue;
              }
            } else if (!final) {
              return NEED_MORE; // cannot tell `"` + `"` from a closing quote yet
            }
            closed = true;
            break;
          }
          if (c === LF) extraLines++;
          else if (c === CR && (p + 1 >= len || b[p + 1] !== LF)) extraLines++;
          p++;
        }
        if (!closed && !final) return NEED_MORE;
        const contentEnd = p; // the closing quote, or the end of the input
        if (closed) p++;
        // Lenient: bytes between the closing quote and the delimiter are kept as they are.
        const tail = p;
        while (p < len) {
          c = b[p];
          if (c === d || c === LF || c === CR) break;
          p++;
        }
        if (escaped || p > tail) {
          let v = utf8String(b, contentStart, contentEnd);
          if (escaped) v = v.replaceAll('""', '"');
          if (p > tail) v += utf8String(b, tail, p);
          this.fq[nf] = 1;
          this.fv[nf] = v;
        } else {
          this.fq[nf] = 0;
          this.fs[nf] = contentStart;
          this.fe[nf] = contentEnd;
        }
        nf++;
        pos = p;
      } else {
        const s = pos;
        while (pos < len && stop[b[pos]] === 0) pos++;
        this.fq[nf] = 0;
        this.fs[nf] = s;
        this.fe[nf] = pos;
        nf++;
      }
      // ---- after the field: delimiter, line break or end of input
      if (pos >= len) {
        if (!final) return NEED_MORE;
        this.finish(start, len, nf, extraLines);
        return len;
      }
      c = b[pos];
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
          pos += b[pos + 1] === LF ? 2 : 1;
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
 * swallow the rest of a 500 MB file into one record). Fed chunk by chunk; keeps the first
 * `keepBytes` bytes for the issue's `raw` text. Same quoting rules as CsvScanner.
 */
export class RecordSkipper {
  private readonly delim: number;
  private readonly keepBytes: number;
  /** 0 field start, 1 unquoted field, 2 quoted field, 3 quote seen inside a quoted field. */
  private state = 0;
  private prevCR = false;
  private headParts: Uint8Array[] = [];
  private headLen = 0;
  /** Line breaks inside quoted fields so far. */
  extraLines = 0;
  /** Set when the record ended on a CR: an LF at the start of the next input belongs to it. */
  endedOnCR = false;

  constructor(delim: number, keepBytes: number) {
    this.delim = delim;
    this.keepBytes = keepBytes;
  }

  /** The first bytes of the record, decoded. */
  get head(): string {
    const all = Buffer.concat(this.headParts);
    return utf8String(all, 0, all.length);
  }

  /** Consumes b from pos; returns the offset after the record's line break, or NEED_MORE. */
  feed(b: Uint8Array, pos: number): number {
    if (this.headLen < this.keepBytes) {
      const part = Uint8Array.prototype.slice.call(b, pos, pos + (this.keepBytes - this.headLen)); // a copy
      this.headParts.push(part);
      this.headLen += part.length;
    }
    const d = this.delim;
    const len = b.length;
    let state = this.state;
    for (let p = pos; p < len; p++) {
      const c = b[p];
      if (state === 3) {
        if (c === QUOTE) {
          state = 2;
          continue;
        }
        state = 1; // closed: continue as after-quote text
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
