/**
 * Streaming parser + validator for platform CSV exports (spec: /work/shared/ingestion-formats.md).
 *
 * bytes -> InputDecoder (BOM sniffing, UTF-8 / UTF-16 LE / UTF-16 BE, NUL check)
 *       -> header detection over a bounded look-ahead (delimiter, preamble, column mapping)
 *       -> CsvScanner (char-code state machine, one record at a time)
 *       -> per-record classification: valid row | invalid (rule) | ignored (reason)
 *       -> batches of `batchSize` records.
 *
 * Memory is flat: only the unconsumed tail of the decoded text (less than one record, except
 * during header detection: at most LOOKAHEAD_CHARS) and the current batch are held. A record
 * longer than MAX_RECORD_CHARS (in practice an unclosed quote swallowing the rest of the file) is
 * skipped without keeping its content and reported as invalid, rule `record_too_long`.
 */

import {
  describeField,
  matchHeader,
  PLATFORMS,
  REQUIRED_FIELDS,
  type CanonicalField,
  type HeaderMatch,
  type Platform,
} from "./aliases";
import { CsvScanner, NEED_MORE, RecordSkipper } from "./csv-scanner";
import {
  addDays,
  currencyCode,
  dates,
  describeBadDate,
  intGreater,
  isBlankCell,
  isMissing,
  isSummaryCell,
  num,
  NUM_INVALID,
  NUM_NEGATIVE,
  NUM_NOT_INTEGER,
  NUM_OK,
  NUM_TOO_LARGE,
  NUM_TOO_MANY_DECIMALS,
  parseDate,
  parseNumber,
  trimCell,
} from "./values";

export type { Platform } from "./aliases";

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
  rows: StagedRow[];
  issues: RowIssue[];
  /** Records in this batch: rows.length + issues.length. */
  records: number;
};

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
/** ... starting within this many characters of the file. */
export const LOOKAHEAD_CHARS = 1 << 20;
/** A record longer than this is skipped and reported `record_too_long`. */
export const MAX_RECORD_CHARS = 1 << 20;
export const RAW_MAX_CHARS = 2000;

/** Database limits: spend / conversions are numeric(20,6); impressions / clicks are bigint. */
const DECIMAL_MAX_INT_DIGITS = 14;
const DECIMAL_MAX_DECIMALS = 6;
const INTEGER_MAX_DIGITS = 18;

const DELIMITERS = [",", "\t", ";"] as const;
const DELIMITER_NAMES: Record<string, string> = { ",": "comma", "\t": "tab", ";": "semicolon" };

// ---------------------------------------------------------------------------------------------
// Decoding

class InputDecoder {
  private head: Uint8Array = new Uint8Array(0);
  private decoder: TextDecoder | null = null;
  private utf16 = false;
  encoding = "utf-8";

  decode(chunk: Uint8Array): string {
    if (this.decoder === null) {
      const h = concatBytes(this.head, chunk);
      if (h.length < 3) {
        this.head = h;
        return "";
      }
      this.head = new Uint8Array(0);
      this.start(h);
      chunk = h;
    }
    return this.checked(this.decoder!.decode(chunk, { stream: true }), chunk);
  }

  end(): string {
    if (this.decoder === null) {
      const h = this.head;
      this.start(h);
      return this.checked(this.decoder!.decode(h), h) + this.decoder!.decode();
    }
    return this.checked(this.decoder.decode(), null);
  }

  private start(h: Uint8Array): void {
    this.encoding = "utf-8";
    if (h.length >= 2 && h[0] === 0xff && h[1] === 0xfe) this.encoding = "utf-16le";
    else if (h.length >= 2 && h[0] === 0xfe && h[1] === 0xff) this.encoding = "utf-16be";
    this.utf16 = this.encoding !== "utf-8";
    // ignoreBOM: false -> the decoder strips the byte-order mark.
    this.decoder = new TextDecoder(this.encoding, { fatal: false, ignoreBOM: false });
  }

  private checked(text: string, bytes: Uint8Array | null): string {
    if (!this.utf16) {
      if (bytes !== null && bytes.indexOf(0) !== -1) {
        throw new ParseFailure(
          "BAD_ENCODING",
          "the file contains NUL bytes: it is binary, or UTF-16 without a byte-order mark (re-export it as UTF-8 CSV)",
        );
      }
    } else if (text.indexOf("\u0000") !== -1) {
      throw new ParseFailure("BAD_ENCODING", `the file contains NUL characters after decoding as ${this.encoding}`);
    }
    return text;
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Header detection

type Detected = { delimiter: string; headerIndex: number; match: HeaderMatch };

type Candidate = { match: HeaderMatch; line: number; cells: string[]; delimiter: string };

/** Returns the header, null when more text is needed, or throws a ParseFailure. */
function detectHeader(platform: Platform, text: string, final: boolean): Detected | null {
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
    while (index < LOOKAHEAD_RECORDS && pos < LOOKAHEAD_CHARS) {
      if (pos >= text.length) {
        done = final;
        break;
      }
      const next = sc.next(text, pos, final);
      if (next === NEED_MORE) break;
      const cells = sc.f.slice(0, sc.nf);
      if (!cells.every(isBlankCell)) {
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
    if (index >= LOOKAHEAD_RECORDS || pos >= LOOKAHEAD_CHARS) done = true;
    if (!done) exhausted = false;
    if (allBlank && final) anyAllBlank = true;
  }
  if (found) return found;
  if (!exhausted && !final && text.length < LOOKAHEAD_CHARS + MAX_RECORD_CHARS) return null;
  if (final && anyAllBlank) {
    throw new ParseFailure("EMPTY_FILE", "the file is empty: it has no header row and no data (only blank lines)");
  }
  const missing = best === null ? [...REQUIRED_FIELDS] : best.match.missing;
  const where =
    best === null
      ? ` No header row was found in the first ${LOOKAHEAD_RECORDS} records.`
      : ` The closest header row found is line ${best.line} (${DELIMITER_NAMES[best.delimiter]}-separated): ` +
        clip(best.cells.map((c) => c.trim()).filter((c) => c.length > 0).slice(0, 20).join(", "), 300);
  throw new ParseFailure(
    "MISSING_COLUMN",
    `missing required column${missing.length > 1 ? "s" : ""} for ${platform}: ` +
      missing.map((f) => describeField(platform, f)).join("; ") +
      "." + where,
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
  private iDate = -1;
  private iId = -1;
  private iName = -1;
  private iSpend = -1;
  private iImpr = -1;
  private iClicks = -1;
  private iConv = -1;
  private iCur = -1;
  private fallbackCurrency: string;
  private readonly maxDate: string;

  // counting
  /** Records seen so far, header excluded (preamble included). */
  recordNo = 0;
  private readonly skip: number;
  private readonly batchSize: number;
  sawData = false;

  rows: StagedRow[] = [];
  issues: RowIssue[] = [];

  constructor(detected: Detected, options: Required<ParseOptions>, private readonly platform: Platform) {
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
  }

  get batchRecords(): number {
    return this.rows.length + this.issues.length;
  }

  takeBatch(): ParseBatch {
    const batch: ParseBatch = { rows: this.rows, issues: this.issues, records: this.rows.length + this.issues.length };
    this.rows = [];
    this.issues = [];
    return batch;
  }

  /** Processes records of buf from pos; sets `stop` and returns the offset where it stopped. */
  run(buf: string, pos: number, final: boolean): number {
    const sc = this.sc;
    const len = buf.length;
    const batchSize = this.batchSize;
    while (pos < len) {
      const next = sc.next(buf, pos, final);
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
          this.ignore(buf, "preamble", "text above the header row (report title, date range or notes)");
        }
      } else if (++this.recordNo > this.skip) {
        if (sc.recEnd - sc.recStart > MAX_RECORD_CHARS) this.tooLong(sc.recLine, sc.line - sc.recLine, buf.slice(sc.recStart, sc.recStart + RAW_MAX_CHARS));
        else this.record(buf);
      } else {
        this.skipped();
      }
      if (this.rows.length + this.issues.length >= batchSize) {
        this.stop = STOP_BATCH_FULL;
        return pos;
      }
    }
    this.stop = STOP_DONE;
    return pos;
  }

  /** A record before the resume point: only whether it is a data record matters. */
  private skipped(): void {
    if (this.sawData) return;
    const f = this.sc.f;
    const nf = this.sc.nf;
    if (this.isBlankRecord(f, nf) || this.isSummaryRecord(f, nf)) return;
    this.sawData = true;
  }

  private isBlankRecord(f: string[], nf: number): boolean {
    for (let k = 0; k < nf; k++) if (!isBlankCell(f[k])) return false;
    return true;
  }

  private isSummaryRecord(f: string[], nf: number): boolean {
    return isSummaryCell(f[0]) || (this.iDate < nf && isSummaryCell(f[this.iDate])) || (this.iId < nf && isSummaryCell(f[this.iId]));
  }

  /** Classifies one data record (after the header). */
  private record(buf: string): void {
    const sc = this.sc;
    const f = sc.f;
    const nf = sc.nf;
    // ---- ignored
    const first = f[0];
    if (isBlankCell(first) && this.isBlankRecord(f, nf)) {
      this.ignore(buf, "blank", "blank line");
      return;
    }
    if (this.isSummaryRecord(f, nf)) {
      const cell = isSummaryCell(f[0]) ? f[0] : this.iDate < nf && isSummaryCell(f[this.iDate]) ? f[this.iDate] : f[this.iId];
      this.ignore(buf, "summary_row", `platform summary row ("${clip(cell.trim(), 60)}"), not a campaign`);
      return;
    }
    this.sawData = true;
    // ---- invalid, first failing rule in a fixed order
    if (nf !== this.hdrFields) {
      this.invalid(buf, "field_count", `expected ${this.hdrFields} fields as in the header row but found ${nf}`);
      return;
    }
    const dateCell = f[this.iDate];
    if (!parseDate(dateCell)) {
      this.invalid(buf, "date_invalid", describeBadDate(dateCell));
      return;
    }
    const date = dates.out;
    if (date > this.maxDate) {
      this.invalid(buf, "date_in_future", `date ${date} is in the future (the latest accepted date is ${this.maxDate})`);
      return;
    }
    const campaignId = trimCell(f[this.iId]);
    if (isMissing(campaignId)) {
      this.invalid(buf, "campaign_id_missing", `campaign ID is empty${campaignId.length ? ` (${quote(campaignId)})` : ""}`);
      return;
    }
    const campaignName = trimCell(f[this.iName]);
    if (isMissing(campaignName)) {
      this.invalid(buf, "campaign_name_missing", `campaign name is empty${campaignName.length ? ` (${quote(campaignName)})` : ""}`);
      return;
    }
    let st = parseNumber(f[this.iSpend], DECIMAL_MAX_DECIMALS, DECIMAL_MAX_INT_DIGITS);
    if (st !== NUM_OK) {
      if (st === NUM_NEGATIVE) this.invalid(buf, "spend_negative", `spend (${num.out}) is negative`);
      else this.invalid(buf, "spend_invalid", numberProblem("spend", f[this.iSpend], st));
      return;
    }
    const spend = num.out;
    st = parseNumber(f[this.iImpr], 0, INTEGER_MAX_DIGITS);
    if (st !== NUM_OK) {
      this.invalid(buf, "impressions_invalid", numberProblem("impressions", f[this.iImpr], st));
      return;
    }
    const impressions = num.out;
    st = parseNumber(f[this.iClicks], 0, INTEGER_MAX_DIGITS);
    if (st !== NUM_OK) {
      this.invalid(buf, "clicks_invalid", numberProblem("clicks", f[this.iClicks], st));
      return;
    }
    const clicks = num.out;
    if (intGreater(clicks, impressions)) {
      this.invalid(buf, "clicks_exceed_impressions", `clicks (${clicks}) exceed impressions (${impressions})`);
      return;
    }
    let conversions = "0";
    if (this.iConv >= 0) {
      st = parseNumber(f[this.iConv], DECIMAL_MAX_DECIMALS, DECIMAL_MAX_INT_DIGITS);
      if (st !== NUM_OK) {
        this.invalid(buf, "conversions_invalid", numberProblem("conversions", f[this.iConv], st));
        return;
      }
      conversions = num.out;
    }
    let currency = this.fallbackCurrency;
    if (this.iCur >= 0) {
      const cell = f[this.iCur];
      if (!isMissing(cell)) {
        const code = currencyCode(cell);
        if (code === null) {
          this.invalid(buf, "currency_invalid", `currency ${quote(cell)} is not a 3-letter ISO 4217 code`);
          return;
        }
        currency = code;
      }
    }
    this.rows.push({ lineNo: sc.recLine, date, campaignId, campaignName, spend, impressions, clicks, conversions, currency });
  }

  private invalid(buf: string, rule: string, message: string): void {
    this.issues.push({ lineNo: this.sc.recLine, kind: "invalid", rule, message, raw: rawText(buf, this.sc.recStart, this.sc.recEnd) });
  }

  private ignore(buf: string, rule: string, message: string): void {
    this.issues.push({ lineNo: this.sc.recLine, kind: "ignored", rule, message, raw: rawText(buf, this.sc.recStart, this.sc.recEnd) });
  }

  /** A record skipped by RecordSkipper (the caller has not counted it). */
  skippedTooLong(lineNo: number, lines: number, head: string): void {
    if (this.headerIndex >= 0) throw new Error("unreachable: over-long record before the header");
    if (++this.recordNo <= this.skip) this.sawData = true;
    else this.tooLong(lineNo, lines, head);
  }

  /** An over-long record (the caller has counted it). */
  private tooLong(lineNo: number, lines: number, head: string): void {
    this.sawData = true;
    this.issues.push({
      lineNo,
      kind: "invalid",
      rule: "record_too_long",
      message:
        `record is longer than ${MAX_RECORD_CHARS.toLocaleString("en-US")} characters and spans ${lines} line${lines > 1 ? "s" : ""}; ` +
        `most likely a field opens a quote (") that is never closed`,
      raw: capRaw(head),
    });
  }

  emptyFailure(): ParseFailure {
    return new ParseFailure("EMPTY_FILE", `the file has a header row but no data rows (no campaign rows for ${this.platform})`);
  }
}

function numberProblem(field: string, cell: string, status: number): string {
  switch (status) {
    case NUM_NOT_INTEGER:
      return `${field} ${quote(cell)} is not a whole number`;
    case NUM_NEGATIVE:
      return `${field} (${num.out}) is negative`;
    case NUM_TOO_MANY_DECIMALS:
      return `${field} ${quote(cell)} has more than ${DECIMAL_MAX_DECIMALS} decimal places`;
    case NUM_TOO_LARGE:
      return `${field} ${quote(cell)} is too large`;
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

function rawText(buf: string, start: number, end: number): string {
  return end - start <= RAW_MAX_CHARS ? buf.slice(start, end) : capRaw(buf.slice(start, start + RAW_MAX_CHARS));
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
  return { platform: options.platform, defaultCurrency: options.defaultCurrency, today: options.today, batchSize, skipRecords };
}

/**
 * Parses and validates a platform export, streaming. Yields batches of `batchSize` records (the
 * last one may be smaller; none when there is nothing to emit). Every record of the file except
 * the header is emitted exactly once, as a row or as an issue, in file order within each list.
 *
 * Throws ParseFailure for a whole-file problem: BAD_ENCODING (may be thrown after batches were
 * yielded, when the NUL byte comes late), MISSING_COLUMN (before any batch), EMPTY_FILE (nothing
 * but blank lines, or a header with no data row after it: thrown at the end, in place of the
 * last batch). The caller must then discard whatever it staged for the file.
 */
export async function* parseFile(input: AsyncIterable<Uint8Array>, options: ParseOptions): AsyncGenerator<ParseBatch> {
  const opts = validateOptions(options);
  const decoder = new InputDecoder();
  let proc: RecordProcessor | null = null;
  /** Unconsumed decoded text; always starts at a record boundary. */
  let pending = "";
  const parts: string[] = [];
  let partsLen = 0;
  let skipper: RecordSkipper | null = null;
  let skipperLine = 0;
  let skipLF = false;
  let eof = false;

  const it = input[Symbol.asyncIterator]();
  while (!eof) {
    const step = await it.next();
    let text: string;
    if (step.done) {
      eof = true;
      text = decoder.end();
    } else {
      text = decoder.decode(step.value);
    }
    if (text.length > 0) {
      parts.push(text);
      partsLen += text.length;
    }
    // Re-scan the incomplete tail only once the new text is at least as long as it (keeps tiny
    // chunks and long records linear).
    if (!eof && (partsLen === 0 || partsLen < pending.length)) continue;
    let buf = parts.length === 1 ? parts[0] : parts.join("");
    parts.length = 0;
    partsLen = 0;

    // ---- skipping an over-long record
    if (skipper !== null) {
      const end = skipper.feed(buf, 0);
      if (end === NEED_MORE && !eof) continue;
      proc!.skippedTooLong(skipperLine, 1 + skipper.extraLines, skipper.head);
      proc!.sc.line = skipperLine + 1 + skipper.extraLines;
      skipLF = skipper.endedOnCR;
      skipper = null;
      buf = end === NEED_MORE ? "" : buf.slice(end);
      if (proc!.batchRecords >= opts.batchSize) yield proc!.takeBatch();
    } else {
      buf = pending + buf;
    }
    if (skipLF && buf.length > 0) {
      if (buf.charCodeAt(0) === 10) buf = buf.slice(1);
      skipLF = false;
    }

    // ---- header detection
    if (proc === null) {
      const detected = detectHeader(opts.platform, buf, eof);
      if (detected === null) {
        pending = buf;
        continue;
      }
      proc = new RecordProcessor(detected, opts, opts.platform);
    }

    // ---- records
    let pos = 0;
    for (;;) {
      pos = proc.run(buf, pos, eof);
      if (proc.stop === STOP_BATCH_FULL) {
        yield proc.takeBatch();
        continue;
      }
      break;
    }
    pending = pos < buf.length ? buf.slice(pos) : "";
    // The tail is one incomplete record (plus at most a CR awaiting its LF). Once it is longer than
    // any acceptable record, stop holding it: skip to its end without keeping the content.
    if (pending.length > MAX_RECORD_CHARS + 1) {
      skipper = new RecordSkipper(proc.sc.delim, RAW_MAX_CHARS);
      skipperLine = proc.sc.line;
      const end = skipper.feed(pending, 0);
      pending = "";
      if (end !== NEED_MORE) {
        // Ended on a CR at the very end of the text (the scanner waits to see whether an LF follows).
        proc.skippedTooLong(skipperLine, 1 + skipper.extraLines, skipper.head);
        proc.sc.line = skipperLine + 1 + skipper.extraLines;
        skipLF = skipper.endedOnCR;
        skipper = null;
        if (proc.batchRecords >= opts.batchSize) yield proc.takeBatch();
      }
    }
  }

  if (proc === null) throw new Error("unreachable: header detection did not conclude at end of input");
  if (!proc.sawData) throw proc.emptyFailure();
  if (proc.batchRecords > 0) yield proc.takeBatch();
}

/** Required canonical fields, re-exported for callers that describe the format. */
export const REQUIRED_COLUMNS: readonly CanonicalField[] = REQUIRED_FIELDS;
