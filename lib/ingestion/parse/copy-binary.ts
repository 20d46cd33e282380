/**
 * Staged rows written straight into PostgreSQL's binary COPY format while parsing.
 *
 * The parser appends each valid row's fields to one growing byte buffer per batch, copying the
 * campaign ID and name from the input bytes. A batch is then one Buffer handed to COPY instead of
 * thousands of row objects and strings: nothing per row survives to the next garbage collection,
 * which is what made the worker spend more time collecting garbage than parsing.
 *
 * Binary rather than text: PostgreSQL then neither splits lines into fields nor parses dates,
 * numbers and UUIDs from text, which was most of its time on the parse's hot path (its text input
 * functions; the parser has already validated every value and knows each one's type).
 *
 * Format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"): a header, then per
 * row an int16 field count and per field an int32 length and the value in the type's send format
 * (network byte order), then an int16 -1. The input never holds NUL bytes (the source refuses them),
 * and invalid UTF-8 becomes U+FFFD as when decoding.
 */
import { utf8String } from "./csv-scanner";

/** COPY columns of one staged row, in this order (the caller's key column, a UUID, comes first). */
export const STAGING_COPY_COLUMNS = ["line_no", "date", "campaign_id", "campaign_name", "spend", "impressions", "clicks", "conversions", "currency"] as const;

/** "PGCOPY\n\377\r\n\0", no flags, no header extension. */
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const DAY_MS = 86_400_000;
/** PostgreSQL's dates count days from 2000-01-01. */
const PG_EPOCH_DAYS = Date.UTC(2000, 0, 1) / DAY_MS;
const NUMERIC_NEG = 0x4000;

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

/** The 16 bytes of a UUID written as text (8-4-4-4-12 hex digits). */
export function uuidBytes(uuid: string): Buffer {
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(uuid)) throw new TypeError(`not a UUID: ${uuid}`);
  return Buffer.from(uuid.replaceAll("-", ""), "hex");
}

/** Writes rows field by field, each field in its column's binary send format. */
export class CopyBinaryWriter {
  private buf: Buffer;
  private len = HEADER.length;
  /** Offset of the current row's field count, or -1 between rows. */
  private rowAt = -1;
  private fields = 0;
  private lastDate = "";
  private lastDays = 0;
  rows = 0;

  constructor(private capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, HEADER.length + 2));
    HEADER.copy(this.buf);
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

  /** Starts a field of `size` bytes (the row too, if this is its first field); answers where its value goes. */
  private field(size: number): number {
    this.ensure(size + 6);
    const out = this.buf;
    let at = this.len;
    if (this.rowAt < 0) {
      this.rowAt = at;
      at += 2;
    }
    out[at] = size >>> 24;
    out[at + 1] = (size >>> 16) & 255;
    out[at + 2] = (size >>> 8) & 255;
    out[at + 3] = size & 255;
    this.fields++;
    this.len = at + 4 + size;
    return at + 4;
  }

  private int32At(at: number, n: number): void {
    const out = this.buf;
    out[at] = n >>> 24;
    out[at + 1] = (n >>> 16) & 255;
    out[at + 2] = (n >>> 8) & 255;
    out[at + 3] = n & 255;
  }

  private int16At(at: number, n: number): void {
    this.buf[at] = (n >>> 8) & 255;
    this.buf[at + 1] = n & 255;
  }

  /** A uuid (its 16 bytes, see uuidBytes). */
  uuid(bytes: Uint8Array): void {
    const at = this.field(16); // may grow the buffer
    this.buf.set(bytes, at);
  }

  /** An integer (int4). */
  int4(n: number): void {
    this.int32At(this.field(4), n | 0);
  }

  /** A date, "YYYY-MM-DD" (a valid calendar date). */
  date(s: string): void {
    if (s !== this.lastDate) {
      // consecutive rows usually share the date, and the parser then hands over the same string
      this.lastDate = s;
      this.lastDays = Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10))) / DAY_MS - PG_EPOCH_DAYS;
    }
    this.int32At(this.field(4), this.lastDays);
  }

  /** A bigint from its decimal digits (at most 18, as the parser allows). */
  int8(digits: string): void {
    const at = this.field(8);
    if (digits.length > 15) {
      this.buf.writeBigInt64BE(BigInt(digits), at);
      return;
    }
    let v = 0;
    for (let i = 0; i < digits.length; i++) v = v * 10 + digits.charCodeAt(i) - 48;
    const high = Math.floor(v / 0x1_0000_0000);
    this.int32At(at, high);
    this.int32At(at + 4, v - high * 0x1_0000_0000);
  }

  /**
   * A numeric from a normalized decimal ("-12.5", "0.000001", "1000"): base-10000 digits, the weight
   * of the first, the sign and the number of decimals shown.
   */
  numeric(s: string): void {
    let i = 0;
    let sign = 0;
    if (s.charCodeAt(0) === 45) {
      sign = NUMERIC_NEG;
      i = 1;
    }
    let dot = s.indexOf(".", i);
    if (dot < 0) dot = s.length;
    const decimals = dot < s.length ? s.length - dot - 1 : 0;
    // a zero integer part has no digit: "0.5" is the single digit 5000 at weight -1
    const intLen = dot - i === 1 && s.charCodeAt(i) === 48 ? 0 : dot - i;
    if (intLen === 0) i = dot;
    const intGroups = (intLen + 3) >> 2;
    const fracGroups = (decimals + 3) >> 2;
    const at = this.field(8 + 2 * (intGroups + fracGroups));
    this.int16At(at, intGroups + fracGroups);
    this.int16At(at + 2, intGroups - 1);
    this.int16At(at + 4, intGroups + fracGroups ? sign : 0);
    this.int16At(at + 6, decimals);
    let o = at + 8;
    let p = i;
    // integer groups: the first holds what is left over from groups of four
    for (let g = 0, take = intLen - 4 * (intGroups - 1); g < intGroups; g++, take = 4) {
      let d = 0;
      for (let k = 0; k < take; k++) d = d * 10 + s.charCodeAt(p++) - 48;
      this.int16At(o, d);
      o += 2;
    }
    // fraction groups: four digits each, the last padded with zeros
    p = dot + 1;
    for (let g = 0; g < fracGroups; g++) {
      let d = 0;
      for (let k = 0; k < 4; k++) d = d * 10 + (p < s.length ? s.charCodeAt(p++) - 48 : 0);
      this.int16At(o, d);
      o += 2;
    }
  }

  /** Text known to be ASCII (a currency code). */
  ascii(s: string): void {
    const n = s.length;
    const at = this.field(n);
    const out = this.buf;
    // a loop beats Buffer#write's native call for these few characters
    for (let k = 0; k < n; k++) out[at + k] = s.charCodeAt(k);
  }

  /** Bytes b[s, e) of UTF-8 text; invalid sequences become U+FFFD. */
  text(b: Buffer, s: number, e: number): void {
    const at = this.field(e - s);
    const out = this.buf;
    // copied byte by byte: for these few bytes a loop beats Buffer#copy's native call, and checks them on the way
    for (let k = s, o = at; k < e; k++, o++) {
      const c = b[k];
      if (c >= 0x80) return this.decoded(at, b, s, e);
      out[o] = c;
    }
  }

  /** Rewrites the field begun at `at` as the UTF-8 bytes b[s, e) decode to (validated, then re-encoded). */
  private decoded(at: number, b: Buffer, s: number, e: number): void {
    this.len = at - 4;
    this.fields--;
    const value = utf8String(b, s, e);
    const n = Buffer.byteLength(value, "utf8");
    const start = this.field(n); // may grow the buffer
    this.buf.write(value, start, n, "utf8");
  }

  endRow(): void {
    this.int16At(this.rowAt, this.fields);
    this.rowAt = -1;
    this.fields = 0;
    this.rows++;
  }

  /** The COPY data of the rows written so far; the writer starts over with a spare buffer, or a new one as large. */
  take(): Buffer {
    this.ensure(2);
    this.int16At(this.len, 0xffff); // end of data
    const out = this.buf.subarray(0, this.len + 2);
    const reuse = spare.findIndex((b) => b.length >= this.capacity);
    this.buf = reuse >= 0 ? spare.splice(reuse, 1)[0] : Buffer.allocUnsafe(this.capacity);
    HEADER.copy(this.buf);
    this.len = HEADER.length;
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

function decodeNumeric(b: Buffer, at: number): string {
  const ndigits = b.readInt16BE(at);
  const weight = b.readInt16BE(at + 2);
  const negative = b.readUInt16BE(at + 4) === NUMERIC_NEG;
  const dscale = b.readInt16BE(at + 6);
  const digit = (g: number) => (g >= 0 && g < ndigits ? b.readInt16BE(at + 8 + 2 * g) : 0);
  let int = "";
  for (let g = 0; g <= weight; g++) int += g === 0 ? String(digit(g)) : String(digit(g)).padStart(4, "0");
  int = int.replace(/^0+(?=\d)/, "") || "0";
  let frac = "";
  for (let g = weight + 1; frac.length < dscale; g++) frac += String(digit(g)).padStart(4, "0");
  frac = frac.slice(0, dscale);
  return (negative ? "-" : "") + int + (frac ? `.${frac}` : "");
}

/** Reads staged rows back from binary COPY data (tests and diagnostics; the worker never decodes). */
export function decodeStagedRows(copy: Buffer, keyColumn = false): StagedRow[] {
  if (!copy.subarray(0, 11).equals(HEADER.subarray(0, 11))) throw new Error("not binary COPY data");
  const rows: StagedRow[] = [];
  let at = HEADER.length;
  for (;;) {
    const count = copy.readInt16BE(at);
    at += 2;
    if (count === -1) break;
    const f: Buffer[] = [];
    for (let k = 0; k < count; k++) {
      const n = copy.readInt32BE(at);
      f.push(copy.subarray(at + 4, at + 4 + n));
      at += 4 + n;
    }
    if (keyColumn) f.shift();
    const days = f[1].readInt32BE(0);
    rows.push({
      lineNo: f[0].readInt32BE(0),
      date: new Date((days + PG_EPOCH_DAYS) * DAY_MS).toISOString().slice(0, 10),
      campaignId: f[2].toString("utf8"),
      campaignName: f[3].toString("utf8"),
      spend: decodeNumeric(f[4], 0),
      impressions: f[5].readBigInt64BE(0).toString(),
      clicks: f[6].readBigInt64BE(0).toString(),
      conversions: decodeNumeric(f[7], 0),
      currency: f[8].toString("latin1"),
    });
  }
  return rows;
}
