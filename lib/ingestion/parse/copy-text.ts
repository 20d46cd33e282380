/**
 * Staged rows written straight into PostgreSQL's COPY text format while parsing.
 *
 * The parser appends each valid row's fields to one growing byte buffer per batch, copying the
 * campaign ID and name from the input bytes. A batch is then one Buffer handed to COPY instead of
 * thousands of row objects and strings: nothing per row survives to the next garbage collection,
 * which is what made the worker spend more time collecting garbage than parsing.
 *
 * Format (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"): fields separated
 * by TAB, rows ended by LF, and backslash, TAB, LF and CR escaped. The input never holds NUL bytes
 * (the source refuses them), and invalid UTF-8 becomes U+FFFD as when decoding.
 */
import { utf8String } from "./csv-scanner";

const TAB = 9;
const LF = 10;
const CR = 13;
const BACKSLASH = 92;

/** COPY columns of one staged row, in this order (the caller's key column comes first). */
export const STAGING_COPY_COLUMNS = ["line_no", "date", "campaign_id", "campaign_name", "spend", "impressions", "clicks", "conversions", "currency"] as const;

/** Escapes a string for COPY's text format (NUL, which PostgreSQL cannot store, is dropped). */
export function escapeCopyText(value: string): string {
  return value.replace(/[\\\t\n\r\u0000]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : ""));
}

/**
 * Batch buffers whose COPY has finished, for the next batches to reuse: a batch is megabytes, and
 * allocating one per batch made the garbage collector run for the memory outside its heap.
 */
const spare: Buffer[] = [];
const MAX_SPARE = 4;

/** Hands a batch's `staged` bytes back once nothing reads them any more (their COPY has ended). */
export function recycleStaged(staged: Buffer): void {
  if (spare.length < MAX_SPARE && staged.byteOffset === 0 && staged.buffer.byteLength >= 1 << 16) spare.push(Buffer.from(staged.buffer));
}

/** Writes rows field by field: each field after the first of a row is preceded by a TAB. */
export class CopyTextWriter {
  private buf: Buffer;
  private len = 0;
  private rowStarted = false;
  rows = 0;

  constructor(private capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
    this.capacity = size;
  }

  private separate(): void {
    if (this.rowStarted) {
      this.ensure(1);
      this.buf[this.len++] = TAB;
    }
    this.rowStarted = true;
  }

  /** Appends a field of text known to be ASCII with nothing to escape (dates, numbers, codes). */
  plain(s: string): void {
    this.separate();
    const n = s.length;
    this.ensure(n);
    const out = this.buf;
    let at = this.len;
    // a loop beats Buffer#write's native call for these few characters
    for (let i = 0; i < n; i++) out[at++] = s.charCodeAt(i);
    this.len = at;
  }

  /** Appends a field of bytes known to be ASCII with nothing to escape. */
  bytes(b: Uint8Array): void {
    this.separate();
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Appends an integer in [0, 2^31) as a field. */
  int(n: number): void {
    this.separate();
    this.ensure(16);
    const out = this.buf;
    let digits = 1;
    for (let v = n; v >= 10; v = (v / 10) | 0) digits++;
    let at = this.len + digits;
    this.len = at;
    do {
      out[--at] = 48 + (n % 10);
      n = (n / 10) | 0;
    } while (n > 0);
  }

  /** Appends bytes b[s, e) of UTF-8 text as one escaped field. */
  text(b: Buffer, s: number, e: number): void {
    this.separate();
    this.ensure(2 * (e - s));
    const out = this.buf;
    let n = this.len;
    for (let k = s; k < e; k++) {
      const c = b[k];
      if (c >= 0x80) return this.decoded(utf8String(b, s, e)); // validate (U+FFFD) and re-encode
      if (c === BACKSLASH || c === TAB || c === LF || c === CR) {
        out[n++] = BACKSLASH;
        out[n++] = c === BACKSLASH ? BACKSLASH : c === TAB ? 116 /* t */ : c === LF ? 110 /* n */ : 114; /* r */
      } else {
        out[n++] = c;
      }
    }
    this.len = n;
  }

  private decoded(value: string): void {
    const escaped = escapeCopyText(value);
    this.ensure(3 * escaped.length);
    this.len += this.buf.write(escaped, this.len, "utf8");
  }

  endRow(): void {
    this.ensure(1);
    this.buf[this.len++] = LF;
    this.rowStarted = false;
    this.rows++;
  }

  /** The bytes written so far; the writer starts over with a spare buffer, or a new one as large. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.len);
    const reuse = spare.findIndex((b) => b.length >= this.capacity);
    this.buf = reuse >= 0 ? spare.splice(reuse, 1)[0] : Buffer.allocUnsafe(this.capacity);
    this.len = 0;
    this.rows = 0;
    return out;
  }
}

export type StagedRow = {
  /** 1-based physical line on which the record starts. */
  lineNo: number;
  /** YYYY-MM-DD */
  date: string;
  campaignId: string;
  campaignName: string;
  /** Normalized decimal, e.g. "1234.56" (no separators, no leading / trailing zeros). */
  spend: string;
  /** Integer digits. */
  impressions: string;
  clicks: string;
  /** Normalized decimal ("0" when absent). */
  conversions: string;
  /** Three upper-case letters. */
  currency: string;
};

function unescape(field: string): string {
  return field.includes("\\") ? field.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : c)) : field;
}

/** Reads staged rows back from COPY text (tests and diagnostics; the worker never decodes). */
export function decodeStagedRows(copy: Buffer, keyColumn = false): StagedRow[] {
  const rows: StagedRow[] = [];
  for (const line of copy.toString("utf8").split("\n")) {
    if (!line) continue;
    const f = line.split("\t").map(unescape);
    if (keyColumn) f.shift();
    rows.push({
      lineNo: Number(f[0]),
      date: f[1],
      campaignId: f[2],
      campaignName: f[3],
      spend: f[4],
      impressions: f[5],
      clicks: f[6],
      conversions: f[7],
      currency: f[8],
    });
  }
  return rows;
}
