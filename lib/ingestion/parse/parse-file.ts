/**
 * Streaming parser + validator for platform CSV exports (spec: docs/formats.md).
 *
 * bytes -> Utf8Source (BOM sniffing; UTF-16 LE / BE transcoded to UTF-8; NUL check)
 *       -> header detection over a bounded look-ahead (delimiter, preamble, column mapping)
 *       -> CsvScanner (byte-level state machine, one record at a time, no decoding)
 *       -> per-record classification: valid row | invalid (rule) | ignored (reason)
 *       -> batches of `batchSize` records.
 *
 * Memory is flat: only the current input chunk, the unconsumed tail (less than one record, except
 * during header detection: at most ~2 x LOOKAHEAD_BYTES) and the current batch are held. A record
 * longer than MAX_RECORD_BYTES (in practice an unclosed quote swallowing the rest of the file) is
 * skipped without keeping its content and reported as invalid, rule `record_too_long`.
 */

import { describeField, matchHeader, PLATFORMS, REQUIRED_FIELDS, type HeaderMatch, type Platform } from "./aliases";
import { CopyBinaryWriter, uuidBytes } from "./copy-binary";
import { KeyFilter, type StagingKey } from "./key-filter";
import { CsvScanner, NEED_MORE, RecordSkipper, utf8String } from "./csv-scanner";
import {
  addDays,
  currencyCode,
  dates,
  describeBadDate,
  intGreater,
  isBlankRange,
  isMissingTrimmed,
  isSummaryRange,
  num,
  NUM_INVALID,
  NUM_NEGATIVE,
  NUM_NOT_INTEGER,
  NUM_OK,
  NUM_TOO_LARGE,
  NUM_TOO_MANY_DECIMALS,
  parseDate,
  parseNumber,
  trimEnd,
  trimStart,
} from "./values";

export type { Platform } from "./aliases";
export type { StagedRow } from "./copy-binary";

export type RowIssue = {
  lineNo: number;
  kind: "invalid" | "ignored";
  /** invalid: the rule that failed (see INVALID_RULES); ignored: the reason (see IGNORED_REASONS). */
  rule: string;
  /** What is wrong, in words an operator understands. */
  message: string;
  /** The record's text as in the file (line breaks of the record included), at most RAW_MAX_CHARS. */
  raw: string;
};

export type ParseBatch = {
  /** The valid rows as binary COPY data (see copy-binary.ts); `decodeStagedRows` reads them back. */
  staged: Buffer;
  /** Rows in `staged`. */
  validRows: number;
  issues: RowIssue[];
  /** Records in this batch: validRows + issues.length. */
  records: number;
  /**
   * Keys of this batch's valid rows that may repeat a key of an earlier row of this run (skipped
   * records not counted): none means certainly none does, some may be false alarms (see KeyFilter),
   * and "all" that a suspect could not be named as staging stores it, so every key must be checked.
   */
  suspectKeys: StagingKey[] | "all";
  /** The earliest and latest date of this batch's valid rows (YYYY-MM-DD), null when it has none. */
  firstDate: string | null;
  lastDate: string | null;
  /** Total spend of this batch's valid rows per date, exact decimals (D10-01's day totals without reading them back). */
  daySpend: Map<string, string>;
};

/** An integer of millionths as an exact decimal string ("1234.560000"). */
function microsToDecimal(micros: number): string {
  const digits = String(micros).padStart(7, "0");
  return `${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

export type ParseOptions = {
  platform: Platform;
  /** Workspace default currency, used when neither a currency column nor the spend header gives one. */
  defaultCurrency: string;
  /** YYYY-MM-DD; dates after today + 1 day are `date_in_future`. */
  today: string;
  /** Records per batch (default 10 000). */
  batchSize?: number;
  /**
   * Resume: the number of records already committed (the sum of `records` of the batches consumed
   * before). Records are numbered as in `totalRows`: every record of the file except the header,
   * preamble lines included. Everything is still parsed, but the first N records are not emitted.
   */
  skipRecords?: number;
  /** A UUID (the upload ID), written as the first COPY column of every staged row; no such column when absent. */
  stagingKey?: string;
};

export type ParseFailureCode = "MISSING_COLUMN" | "EMPTY_FILE" | "BAD_ENCODING";

/** The whole file is unusable; nothing of it may be staged. */
export class ParseFailure extends Error {
  readonly code: ParseFailureCode;
  /** MISSING_COLUMN: the canonical names of the missing required fields. */
  readonly missingColumns: string[];
  constructor(code: ParseFailureCode, message: string, missingColumns: string[] = []) {
    super(message);
    this.name = "ParseFailure";
    this.code = code;
    this.missingColumns = missingColumns;
  }
}

/** Rule names of `invalid` issues, in the order in which they are checked. */
export const INVALID_RULES = [
  "record_too_long",
  "field_count",
  "date_invalid",
  "date_in_future",
  "campaign_id_missing",
  "campaign_name_missing",
  "spend_invalid",
  "spend_negative",
  "impressions_invalid",
  "clicks_invalid",
  "clicks_exceed_impressions",
  "conversions_invalid",
  "currency_invalid",
] as const;
/** Reasons of `ignored` issues. */
export const IGNORED_REASONS = ["preamble", "blank", "summary_row"] as const;

export const DEFAULT_BATCH_SIZE = 10_000;
/** Header detection looks at most at this many records ... */
export const LOOKAHEAD_RECORDS = 200;
/** ... starting within this many bytes (UTF-8) of the file. */
export const LOOKAHEAD_BYTES = 1 << 20;
/** A record longer than this many bytes (UTF-8) is skipped and reported `record_too_long`. */
export const MAX_RECORD_BYTES = 1 << 20;
/** `raw` is cut to this many characters. */
export const RAW_MAX_CHARS = 2000;

/** Database limits: spend / conversions are numeric(20,6); impressions / clicks are bigint. */
const DECIMAL_MAX_INT_DIGITS = 14;
const DECIMAL_MAX_DECIMALS = 6;
const INTEGER_MAX_DIGITS = 18;

const DELIMITERS = [",", "\t", ";"] as const;
const DELIMITER_NAMES: Record<string, string> = { ",": "comma", "\t": "tab", ";": "semicolon" };

// ---------------------------------------------------------------------------------------------
// Input: bytes -> UTF-8 bytes

const EMPTY: Buffer = Buffer.alloc(0);

function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/**
 * Normalizes the input to UTF-8 bytes: sniffs the byte-order mark, strips a UTF-8 BOM, transcodes
 * UTF-16 LE/BE (BOM stripped), and refuses NUL bytes (binary data, or UTF-16 without a BOM).
 */
class Utf8Source {
  private head: Buffer | null = EMPTY;
  private utf16: TextDecoder | null = null;
  encoding = "utf-8";

  push(chunk: Uint8Array): Buffer {
    if (this.head !== null) {
      const h = this.head.length === 0 ? asBuffer(chunk) : Buffer.concat([this.head, chunk]);
      if (h.length < 3) {
        this.head = Buffer.from(h); // a copy: the input may reuse its buffers
        return EMPTY;
      }
      this.head = null;
      return this.convert(this.start(h), false);
    }
    return this.convert(asBuffer(chunk), false);
  }

  end(): Buffer {
    if (this.head !== null) {
      const h = this.head;
      this.head = null;
      return this.convert(this.start(h), true);
    }
    return this.convert(EMPTY, true);
  }

  /** Decides the encoding from the first bytes; returns them without a UTF-8 BOM. */
  private start(h: Buffer): Buffer {
    if (h.length >= 2 && ((h[0] === 0xff && h[1] === 0xfe) || (h[0] === 0xfe && h[1] === 0xff))) {
      this.encoding = h[0] === 0xff ? "utf-16le" : "utf-16be";
      this.utf16 = new TextDecoder(this.encoding, { fatal: false, ignoreBOM: false }); // strips the BOM
      return h;
    }
    if (h.length >= 3 && h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf) return h.subarray(3);
    return h;
  }

  private convert(bytes: Buffer, last: boolean): Buffer {
    let out = bytes;
    if (this.utf16 !== null) {
      const text = this.utf16.decode(bytes, { stream: !last });
      out = text.length === 0 ? EMPTY : Buffer.from(text, "utf8");
    }
    if (out.length > 0 && out.indexOf(0) !== -1) {
      throw new ParseFailure(
        "BAD_ENCODING",
        this.utf16 !== null
          ? `the file contains NUL characters (decoded as ${this.encoding}): it is not a CSV text file`
          : "the file contains NUL bytes: it is binary, or UTF-16 without a byte-order mark (re-export it as UTF-8 CSV)",
      );
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Header detection

type Detected = { delimiter: string; headerIndex: number; match: HeaderMatch };

type Candidate = { match: HeaderMatch; line: number; cells: string[]; delimiter: string };

function isBlankCells(cells: string[]): boolean {
  return cells.every((c) => c.trim() === "");
}

/** Returns the header, null when more input is needed, or throws a ParseFailure. */
function detectHeader(platform: Platform, b: Buffer, final: boolean): Detected | null {
  let found: (Detected & { offset: number }) | null = null;
  let best: Candidate | null = null;
  let exhausted = true; // every delimiter has seen all the records it may look at
  let anyAllBlank = false;
  for (const delimiter of DELIMITERS) {
    const sc = new CsvScanner(delimiter);
    let pos = 0;
    let index = 0;
    let allBlank = true;
    let done = false;
    while (index < LOOKAHEAD_RECORDS && pos < LOOKAHEAD_BYTES) {
      if (pos >= b.length) {
        done = final;
        break;
      }
      const next = sc.next(b, pos, final);
      if (next === NEED_MORE) break;
      const cells = sc.cells(b);
      if (!isBlankCells(cells)) {
        allBlank = false;
        const match = matchHeader(platform, cells);
        if (match.missing.length === 0) {
          if (found === null || pos < found.offset) found = { delimiter, headerIndex: index, match, offset: pos };
          done = true;
          break;
        }
        if (best === null || match.matched > best.match.matched || (match.matched === best.match.matched && sc.recLine < best.line)) {
          best = { match, line: sc.recLine, cells, delimiter };
        }
      }
      index++;
      pos = next;
    }
    if (index >= LOOKAHEAD_RECORDS || pos >= LOOKAHEAD_BYTES) done = true;
    if (!done) exhausted = false;
    if (allBlank && final) anyAllBlank = true;
  }
  if (found) return found;
  if (!exhausted && !final && b.length < LOOKAHEAD_BYTES + MAX_RECORD_BYTES) return null;
  if (final && anyAllBlank) {
    throw new ParseFailure("EMPTY_FILE", "the file is empty: it has no header row and no data (only blank lines)");
  }
  const missing = best === null ? [...REQUIRED_FIELDS] : best.match.missing;
  const where =
    best === null
      ? ` No header row was found in the first ${LOOKAHEAD_RECORDS} records.`
      : ` The closest header row found is line ${best.line} (${DELIMITER_NAMES[best.delimiter]}-separated): ` +
        clip(
          best.cells
            .map((c) => c.trim())
            .filter((c) => c.length > 0)
            .slice(0, 20)
            .join(", "),
          300,
        );
  throw new ParseFailure(
    "MISSING_COLUMN",
    `missing required column${missing.length > 1 ? "s" : ""} for ${platform}: ` + missing.map((f) => describeField(platform, f)).join("; ") + "." + where,
    [...missing],
  );
}

// ---------------------------------------------------------------------------------------------
// Record classification

const STOP_DONE = 0;
const STOP_NEED_MORE = 1;
const STOP_BATCH_FULL = 2;

class RecordProcessor {
  readonly sc: CsvScanner;
  stop = STOP_DONE;

  // header
  private headerIndex: number;
  private hdrFields = 0;
  private readonly iDate: number;
  private readonly iId: number;
  private readonly iName: number;
  private readonly iSpend: number;
  private readonly iImpr: number;
  private readonly iClicks: number;
  private readonly iConv: number;
  private readonly iCur: number;
  private readonly fallbackCurrency: string;
  private readonly maxDate: string;

  // counting
  /** Records seen so far, header excluded (preamble included). */
  recordNo = 0;
  private readonly skip: number;
  private readonly batchSize: number;

  private readonly out = new CopyBinaryWriter();
  private readonly keys = new KeyFilter();
  /** The staging key column's value, as bytes (null: no key column). */
  private readonly key: Buffer | null;
  issues: RowIssue[] = [];
  private firstDate: string | null = null;
  /** Spend per date in millionths, an integer: exact while a batch's day stays under 9 × 10⁹. */
  private dayMicros = new Map<string, number>();
  private lastDate: string | null = null;

  // the cell being looked at: src[ca, cb)
  private src: Buffer = EMPTY;
  private ca = 0;
  private cb = 0;

  constructor(detected: Detected, options: Required<ParseOptions>) {
    this.sc = new CsvScanner(detected.delimiter);
    this.headerIndex = detected.headerIndex;
    const cols = detected.match.columns;
    this.iDate = cols.date;
    this.iId = cols.campaign_id;
    this.iName = cols.campaign_name;
    this.iSpend = cols.spend;
    this.iImpr = cols.impressions;
    this.iClicks = cols.clicks;
    this.iConv = cols.conversions;
    this.iCur = cols.currency;
    this.fallbackCurrency = detected.match.spendCurrency ?? options.defaultCurrency.toUpperCase();
    this.maxDate = addDays(options.today, 1);
    this.skip = options.skipRecords;
    this.batchSize = options.batchSize;
    this.key = options.stagingKey ? uuidBytes(options.stagingKey) : null;
  }

  get batchRecords(): number {
    return this.out.rows + this.issues.length;
  }

  takeBatch(): ParseBatch {
    const validRows = this.out.rows;
    const batch: ParseBatch = {
      staged: this.out.take(),
      validRows,
      issues: this.issues,
      records: validRows + this.issues.length,
      suspectKeys: this.keys.takeSuspects(),
      firstDate: this.firstDate,
      lastDate: this.lastDate,
      daySpend: new Map([...this.dayMicros].map(([date, micros]) => [date, microsToDecimal(micros)])),
    };
    this.issues = [];
    this.firstDate = this.lastDate = null;
    this.dayMicros.clear();
    return batch;
  }

  /** Processes records of b from pos; sets `stop` and returns the offset where it stopped. */
  run(b: Buffer, pos: number, final: boolean): number {
    const sc = this.sc;
    const len = b.length;
    const batchSize = this.batchSize;
    while (pos < len) {
      const next = sc.next(b, pos, final);
      if (next === NEED_MORE) {
        this.stop = STOP_NEED_MORE;
        return pos;
      }
      pos = next;
      if (this.headerIndex >= 0) {
        if (this.recordNo === this.headerIndex) {
          this.hdrFields = sc.nf;
          this.headerIndex = -1;
          continue;
        }
        if (++this.recordNo > this.skip) {
          this.issue(b, "ignored", "preamble", "text above the header row (report title, date range or notes)");
        }
      } else if (++this.recordNo > this.skip) {
        if (sc.recEnd - sc.recStart > MAX_RECORD_BYTES) {
          this.tooLong(sc.recLine, sc.line - sc.recLine, rawText(b, sc.recStart, sc.recEnd));
        } else {
          this.record(b);
        }
      }
      if (this.out.rows + this.issues.length >= batchSize) {
        this.stop = STOP_BATCH_FULL;
        return pos;
      }
    }
    this.stop = STOP_DONE;
    return pos;
  }

  /** Points src/ca/cb at field k of the current record. */
  private at(b: Buffer, k: number): void {
    const sc = this.sc;
    if (sc.fq[k] === 1) {
      // an irregular quoted field (rare): validate its decoded value
      this.src = Buffer.from(sc.fv[k], "utf8");
      this.ca = 0;
      this.cb = this.src.length;
    } else {
      this.src = b;
      this.ca = sc.fs[k];
      this.cb = sc.fe[k];
    }
  }

  /** Points at field k, trimmed. */
  private atTrimmed(b: Buffer, k: number): void {
    this.at(b, k);
    this.ca = trimStart(this.src, this.ca, this.cb);
    this.cb = trimEnd(this.src, this.ca, this.cb);
  }

  private isBlankRecord(b: Buffer): boolean {
    const nf = this.sc.nf;
    for (let k = 0; k < nf; k++) {
      this.at(b, k);
      if (!isBlankRange(this.src, this.ca, this.cb)) return false;
    }
    return true;
  }

  private isSummaryField(b: Buffer, k: number): boolean {
    if (k >= this.sc.nf) return false;
    this.at(b, k);
    return isSummaryRange(this.src, this.ca, this.cb);
  }

  private isSummaryRecord(b: Buffer): boolean {
    return this.isSummaryField(b, 0) || this.isSummaryField(b, this.iDate) || this.isSummaryField(b, this.iId);
  }

  /** Classifies one data record (after the header). */
  private record(b: Buffer): void {
    const sc = this.sc;
    const nf = sc.nf;
    // ---- ignored
    if (this.isBlankRecord(b)) {
      this.issue(b, "ignored", "blank", "blank line");
      return;
    }
    if (this.isSummaryRecord(b)) {
      const k = this.isSummaryField(b, 0) ? 0 : this.isSummaryField(b, this.iDate) ? this.iDate : this.iId;
      this.issue(b, "ignored", "summary_row", `platform summary row (${quote(sc.cell(b, k).trim())}), not a campaign`);
      return;
    }
    // ---- invalid: the first failing rule, in a fixed order
    if (nf !== this.hdrFields) {
      this.issue(b, "invalid", "field_count", `expected ${this.hdrFields} fields as in the header row but found ${nf}`);
      return;
    }
    this.at(b, this.iDate);
    if (!parseDate(this.src, this.ca, this.cb)) {
      this.issue(b, "invalid", "date_invalid", describeBadDate(sc.cell(b, this.iDate)));
      return;
    }
    const date = dates.out;
    if (date > this.maxDate) {
      this.issue(b, "invalid", "date_in_future", `date ${date} is in the future (the latest accepted date is ${this.maxDate})`);
      return;
    }
    this.atTrimmed(b, this.iId);
    if (isMissingTrimmed(this.src, this.ca, this.cb)) {
      this.issue(b, "invalid", "campaign_id_missing", this.ca === this.cb ? "campaign ID is empty" : `campaign ID is missing ("--")`);
      return;
    }
    const idSrc = this.src;
    const idStart = this.ca;
    const idEnd = this.cb;
    this.atTrimmed(b, this.iName);
    if (isMissingTrimmed(this.src, this.ca, this.cb)) {
      this.issue(b, "invalid", "campaign_name_missing", this.ca === this.cb ? "campaign name is empty" : `campaign name is missing ("--")`);
      return;
    }
    const nameSrc = this.src;
    const nameStart = this.ca;
    const nameEnd = this.cb;
    this.at(b, this.iSpend);
    let st = parseNumber(this.src, this.ca, this.cb, DECIMAL_MAX_DECIMALS, DECIMAL_MAX_INT_DIGITS);
    if (st !== NUM_OK) {
      if (st === NUM_NEGATIVE) this.issue(b, "invalid", "spend_negative", `spend (${num.out}) is negative`);
      else this.issue(b, "invalid", "spend_invalid", numberProblem("spend", sc.cell(b, this.iSpend), st));
      return;
    }
    const spend = num.out;
    this.at(b, this.iImpr);
    st = parseNumber(this.src, this.ca, this.cb, 0, INTEGER_MAX_DIGITS);
    if (st !== NUM_OK) {
      this.issue(b, "invalid", "impressions_invalid", numberProblem("impressions", sc.cell(b, this.iImpr), st));
      return;
    }
    const impressions = num.out;
    this.at(b, this.iClicks);
    st = parseNumber(this.src, this.ca, this.cb, 0, INTEGER_MAX_DIGITS);
    if (st !== NUM_OK) {
      this.issue(b, "invalid", "clicks_invalid", numberProblem("clicks", sc.cell(b, this.iClicks), st));
      return;
    }
    const clicks = num.out;
    if (intGreater(clicks, impressions)) {
      this.issue(b, "invalid", "clicks_exceed_impressions", `clicks (${clicks}) exceed impressions (${impressions})`);
      return;
    }
    let conversions = "0";
    if (this.iConv >= 0) {
      this.at(b, this.iConv);
      st = parseNumber(this.src, this.ca, this.cb, DECIMAL_MAX_DECIMALS, DECIMAL_MAX_INT_DIGITS);
      if (st !== NUM_OK) {
        this.issue(b, "invalid", "conversions_invalid", numberProblem("conversions", sc.cell(b, this.iConv), st));
        return;
      }
      conversions = num.out;
    }
    let currency = this.fallbackCurrency;
    if (this.iCur >= 0) {
      this.atTrimmed(b, this.iCur);
      if (!isMissingTrimmed(this.src, this.ca, this.cb)) {
        const code = currencyCode(this.src, this.ca, this.cb);
        if (code === null) {
          this.issue(b, "invalid", "currency_invalid", `currency ${quote(sc.cell(b, this.iCur).trim())} is not a 3-letter ISO 4217 code`);
          return;
        }
        currency = code;
      }
    }
    this.keys.add(date, idSrc, idStart, idEnd);
    if (this.firstDate === null || date < this.firstDate) this.firstDate = date;
    if (this.lastDate === null || date > this.lastDate) this.lastDate = date;
    this.dayMicros.set(date, (this.dayMicros.get(date) ?? 0) + Math.round(Number(spend) * 1e6));
    const out = this.out;
    if (this.key) out.uuid(this.key);
    out.int4(sc.recLine);
    out.date(date);
    out.text(idSrc, idStart, idEnd);
    out.text(nameSrc, nameStart, nameEnd);
    out.numeric(spend);
    out.int8(impressions);
    out.int8(clicks);
    out.numeric(conversions);
    out.ascii(currency);
    out.endRow();
  }

  private issue(b: Buffer, kind: "invalid" | "ignored", rule: string, message: string): void {
    this.issues.push({ lineNo: this.sc.recLine, kind, rule, message, raw: rawText(b, this.sc.recStart, this.sc.recEnd) });
  }

  /** A record counted by the caller that is longer than MAX_RECORD_BYTES. */
  private tooLong(lineNo: number, lines: number, head: string): void {
    this.issues.push({
      lineNo,
      kind: "invalid",
      rule: "record_too_long",
      message:
        `record is longer than ${MAX_RECORD_BYTES.toLocaleString("en-US")} bytes and spans ${lines} line${lines > 1 ? "s" : ""}; ` +
        `most likely a field opens a quote (") that is never closed`,
      raw: capRaw(head),
    });
  }

  /** A record that RecordSkipper skipped (not counted yet). */
  skippedTooLong(lineNo: number, lines: number, head: string): void {
    if (this.headerIndex >= 0) throw new Error("unreachable: over-long record before the header");
    this.sc.line = lineNo + lines;
    if (++this.recordNo > this.skip) this.tooLong(lineNo, lines, head);
  }
}

function numberProblem(field: string, cell: string, status: number): string {
  switch (status) {
    case NUM_NOT_INTEGER:
      return `${field} ${quote(cell)} is not a whole number`;
    case NUM_TOO_MANY_DECIMALS:
      return `${field} ${quote(cell)} has more than ${DECIMAL_MAX_DECIMALS} decimal places`;
    case NUM_TOO_LARGE:
      return `${field} ${quote(cell)} is too large`;
    case NUM_NEGATIVE:
      return `${field} (${num.out}) is negative`;
    case NUM_INVALID:
    default:
      return `${field} ${quote(cell)} is not a number`;
  }
}

function quote(s: string): string {
  return `"${clip(s, 80)}"`;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + "…";
}

function capRaw(s: string): string {
  if (s.length <= RAW_MAX_CHARS) return s;
  let end = RAW_MAX_CHARS;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--; // do not split a surrogate pair
  return s.slice(0, end);
}

/** The record's text (decoded), cut to RAW_MAX_CHARS. */
function rawText(b: Uint8Array, start: number, end: number): string {
  // RAW_MAX_CHARS characters take at most 4 bytes each
  return capRaw(utf8String(b, start, Math.min(end, start + 4 * RAW_MAX_CHARS)));
}

// ---------------------------------------------------------------------------------------------
// The generator

function validateOptions(options: ParseOptions): Required<ParseOptions> {
  if (!PLATFORMS.includes(options.platform)) throw new TypeError(`unknown platform "${String(options.platform)}"`);
  if (!/^[A-Za-z]{3}$/.test(options.defaultCurrency ?? "")) throw new TypeError(`defaultCurrency must be a 3-letter code, got "${options.defaultCurrency}"`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.today ?? "") || addDays(options.today, 0) !== options.today) {
    throw new TypeError(`today must be a YYYY-MM-DD date, got "${options.today}"`);
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError("batchSize must be a positive integer");
  const skipRecords = options.skipRecords ?? 0;
  if (!Number.isInteger(skipRecords) || skipRecords < 0) throw new TypeError("skipRecords must be a non-negative integer");
  const stagingKey = options.stagingKey ?? "";
  if (stagingKey) uuidBytes(stagingKey); // throws unless a UUID
  return { platform: options.platform, defaultCurrency: options.defaultCurrency, today: options.today, batchSize, skipRecords, stagingKey };
}

/**
 * Parses and validates a platform export, streaming. Yields batches of `batchSize` records (the
 * last one may be smaller; none when there is nothing to emit). Every record of the file except
 * the header is emitted exactly once, as a row or as an issue; both lists are in file order.
 *
 * Throws ParseFailure for a whole-file problem: BAD_ENCODING (may come after batches were yielded
 * when the NUL byte is far into the file), MISSING_COLUMN and EMPTY_FILE (no bytes, or nothing but
 * blank lines: there is no header) before any batch. The caller must then discard whatever it
 * staged for the file.
 *
 * A header with no data record after it (only blank / summary lines, or nothing) is not thrown:
 * those records are emitted as `ignored` so that they are counted, and the caller, seeing
 * valid + invalid = 0 at the end, fails the upload with EMPTY_FILE.
 */
export async function* parseFile(input: AsyncIterable<Uint8Array>, options: ParseOptions): AsyncGenerator<ParseBatch> {
  const opts = validateOptions(options);
  const source = new Utf8Source();
  let proc: RecordProcessor | null = null;
  /** Unconsumed bytes (they start at a record boundary), and new input not scanned yet. */
  let pending: Buffer = EMPTY;
  const fresh: Buffer[] = [];
  let freshLen = 0;
  let skipper: RecordSkipper | null = null;
  let skipperLine = 0;
  let skipLF = false;
  let eof = false;

  const it = input[Symbol.asyncIterator]();
  try {
    while (!eof) {
      const step = await it.next();
      let bytes: Buffer;
      if (step.done) {
        eof = true;
        bytes = source.end();
      } else {
        if (!(step.value instanceof Uint8Array)) throw new TypeError("parseFile: the input must yield bytes (Uint8Array / Buffer), not text");
        bytes = source.push(step.value);
      }
      if (bytes.length > 0) {
        fresh.push(bytes);
        freshLen += bytes.length;
      }
      // Re-scan an incomplete tail only once the new input is at least as long as it: keeps tiny
      // chunks, long records and header detection linear.
      if (!eof && (freshLen === 0 || freshLen < pending.length)) {
        // kept across reads: copy, in case the source reuses its buffers
        if (bytes.length > 0) fresh[fresh.length - 1] = Buffer.from(bytes);
        continue;
      }
      let b: Buffer;
      if (skipper !== null) {
        b = fresh.length === 1 ? fresh[0] : Buffer.concat(fresh, freshLen);
      } else {
        if (pending.length > 0) fresh.unshift(pending);
        b = fresh.length === 1 ? fresh[0] : Buffer.concat(fresh);
      }
      fresh.length = 0;
      freshLen = 0;
      pending = EMPTY;
      let pos = 0;

      // ---- skipping an over-long record
      if (skipper !== null) {
        const end = skipper.feed(b, 0);
        if (end === NEED_MORE && !eof) continue;
        proc!.skippedTooLong(skipperLine, 1 + skipper.extraLines, skipper.head);
        skipLF = skipper.endedOnCR;
        skipper = null;
        pos = end === NEED_MORE ? b.length : end;
        if (proc!.batchRecords >= opts.batchSize) yield proc!.takeBatch();
      }
      if (skipLF && pos < b.length) {
        if (b[pos] === 10) pos++;
        skipLF = false;
      }

      // ---- header detection
      if (proc === null) {
        const detected = detectHeader(opts.platform, b, eof);
        if (detected === null) {
          pending = Buffer.from(b); // a copy: the input may reuse its buffers
          continue;
        }
        proc = new RecordProcessor(detected, opts);
      }

      // ---- records
      for (;;) {
        pos = proc.run(b, pos, eof);
        if (proc.stop === STOP_BATCH_FULL) {
          yield proc.takeBatch();
          continue;
        }
        break;
      }
      if (pos < b.length) {
        // An incomplete record (only when !eof).
        if (b.length - pos > MAX_RECORD_BYTES + 1) {
          // Longer than any acceptable record: stop holding it, skip to its end keeping nothing.
          skipper = new RecordSkipper(proc.sc.delim, 4 * RAW_MAX_CHARS);
          skipperLine = proc.sc.line;
          const end = skipper.feed(b, pos);
          if (end !== NEED_MORE) {
            // It ended on a CR at the very end of the input (the scanner waits for a possible LF).
            proc.skippedTooLong(skipperLine, 1 + skipper.extraLines, skipper.head);
            skipLF = skipper.endedOnCR;
            skipper = null;
            if (end < b.length) pending = Buffer.from(b.subarray(end)); // (not expected: the scanner had stopped at the end)
            if (proc.batchRecords >= opts.batchSize) yield proc.takeBatch();
          }
        } else {
          pending = Buffer.from(b.subarray(pos)); // a copy: small, and the input may reuse its buffers
        }
      }
    }

    if (proc === null) throw new Error("unreachable: header detection did not conclude at end of input");
    if (proc.batchRecords > 0) yield proc.takeBatch();
  } finally {
    // stop the source when the consumer stops early or parsing fails
    if (!eof && typeof it.return === "function") {
      try {
        await it.return();
      } catch {
        // the original outcome matters, not a failure to close the source
      }
    }
  }
}
