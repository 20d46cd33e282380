/**
 * Synthetic platform exports for tests, benchmarks and demos.
 *
 * `generateCsv` streams a realistic export (flat memory, lazily generated, deterministic per seed):
 * - meta:   UTF-8 with BOM, comma, LF; `Reporting starts`, `Reporting ends` and `Day` columns,
 *           `Amount spent (USD)`, `Link clicks`, `Results`.
 * - google: UTF-16 LE with BOM, tab-separated, CRLF ("Excel CSV"); two preamble lines (report title,
 *           date range), `Impr.`, `Currency code`, costs with thousands separators, `--` cells,
 *           and `Total: Campaigns` / `Total: Account` rows at the end.
 * - tiktok: UTF-8 without BOM, comma, CRLF, no final newline; `Stat time day` values with a time
 *           of day (`2024-01-05 00:00:00`).
 * Campaign names include commas, quotes, emoji, line breaks and a spreadsheet formula.
 *
 * `rows` is the number of campaign-day data rows. Row i is campaign (i mod C) on day (i div C), so
 * (date, campaign_id) is unique across the file. With `invalidEvery = k`, every k-th data row is
 * made invalid, cycling through GENERATED_INVALID_RULES. `expectedCounts` returns the counts the
 * parser must produce for the same options (for any `today` on or after the last generated date;
 * with the defaults the dates run from 2018-01-01 for at most 2000 days). With `rows: 0` the file
 * has no data row (an upload of it fails with EMPTY_FILE).
 */

import { Readable } from "node:stream";
import type { Platform } from "@/lib/ingestion/parse/aliases";

export type GenerateOptions = {
  platform: Platform;
  /** Campaign-day data rows (valid + invalid); preamble and summary rows come on top. */
  rows: number;
  seed?: number;
  /** Every k-th data row is invalid (none when absent or 0). */
  invalidEvery?: number;
  /** First day, YYYY-MM-DD (default 2018-01-01). */
  startDate?: string;
  /** Number of campaigns (default max(20, ceil(rows / 2000)), i.e. at most 2000 days). */
  campaigns?: number;
};

export const GENERATED_INVALID_RULES = [
  "spend_negative",
  "clicks_exceed_impressions",
  "date_invalid",
  "impressions_invalid",
  "field_count",
  "campaign_id_missing",
  "spend_invalid",
  "date_in_future",
  "clicks_invalid",
  "conversions_invalid",
] as const;

export type ExpectedCounts = {
  totalRows: number;
  validRows: number;
  invalidRows: number;
  ignoredRows: number;
  invalidByRule: Record<string, number>;
  ignoredByReason: Record<string, number>;
};

const DEFAULT_START = "2018-01-01";
const DAY_MS = 86_400_000;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WORDS = [
  "Brand",
  "Search",
  "Retargeting",
  "Prospecting",
  "Summer",
  "Winter",
  "Spring",
  "Launch",
  "Always-on",
  "Video",
  "Catalog",
  "Lookalike",
  "Promo",
  "Awareness",
  "Leads",
  "App installs",
];
const SPECIAL_NAMES = [
  'Promo, "Spring" 🌸 2024',
  '=HYPERLINK("https://example.com","Click me")',
  "Total Wine promo",
  "Line one\nline two",
  "+49 Germany; DACH",
  "@mentions — café ünïcode",
  "-20% sale",
];

type Layout = {
  bom: boolean;
  utf16: boolean;
  delim: string;
  eol: string;
  finalNewline: boolean;
  preamble: (first: string, last: string) => string[];
  header: string[];
  summary: boolean;
};

const LAYOUTS: Record<Platform, Layout> = {
  meta: {
    bom: true,
    utf16: false,
    delim: ",",
    eol: "\n",
    finalNewline: true,
    preamble: () => [],
    header: [
      "Reporting starts",
      "Reporting ends",
      "Day",
      "Campaign name",
      "Campaign ID",
      "Amount spent (USD)",
      "Impressions",
      "Link clicks",
      "Results",
      "Result indicator",
    ],
    summary: false,
  },
  google: {
    bom: true,
    utf16: true,
    delim: "\t",
    eol: "\r\n",
    finalNewline: true,
    preamble: (first, last) => ["Campaign report", `${longDate(first)} - ${longDate(last)}`],
    header: ["Campaign", "Campaign ID", "Day", "Currency code", "Cost", "Impr.", "Clicks", "Conversions"],
    summary: true,
  },
  tiktok: {
    bom: false,
    utf16: false,
    delim: ",",
    eol: "\r\n",
    finalNewline: false,
    preamble: () => [],
    header: ["Campaign name", "Campaign ID", "Stat time day", "Currency", "Cost", "Impression", "Clicks (destination)", "Conversions"],
    summary: false,
  },
};

const SUMMARY_ROWS = 2; // google: Total: Campaigns, Total: Account
const PREAMBLE_ROWS: Record<Platform, number> = { meta: 0, google: 2, tiktok: 0 };

function longDate(iso: string): string {
  return `${MONTHS[+iso.slice(5, 7) - 1]} ${+iso.slice(8, 10)}, ${iso.slice(0, 4)}`;
}

function isoPlus(startMs: number, days: number): string {
  return new Date(startMs + days * DAY_MS).toISOString().slice(0, 10);
}

function resolve(options: GenerateOptions) {
  const rows = options.rows;
  if (!Number.isInteger(rows) || rows < 0) throw new RangeError("rows must be a non-negative integer");
  const campaigns = options.campaigns ?? Math.max(20, Math.ceil(rows / 2000));
  if (!Number.isInteger(campaigns) || campaigns < 1) throw new RangeError("campaigns must be a positive integer");
  const start = options.startDate ?? DEFAULT_START;
  const startMs = Date.parse(start + "T00:00:00Z");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(startMs)) throw new RangeError("startDate must be YYYY-MM-DD");
  const days = Math.max(1, Math.ceil(rows / campaigns));
  const last = isoPlus(startMs, days - 1);
  if (last >= "2090-01-01") throw new RangeError(`rows / campaigns spans ${days} days, past 2090: use more campaigns`);
  const invalidEvery = options.invalidEvery ?? 0;
  if (!Number.isInteger(invalidEvery) || invalidEvery < 0) throw new RangeError("invalidEvery must be a non-negative integer");
  return { rows, campaigns, start, startMs, days, last, invalidEvery, seed: (options.seed ?? 1) >>> 0 };
}

/** The counts the parser must report for a file generated with these options. */
export function expectedCounts(options: GenerateOptions): ExpectedCounts {
  const r = resolve(options);
  const invalidRows = r.invalidEvery > 0 ? Math.floor(r.rows / r.invalidEvery) : 0;
  const invalidByRule: Record<string, number> = {};
  const n = GENERATED_INVALID_RULES.length;
  GENERATED_INVALID_RULES.forEach((rule, k) => {
    const count = Math.floor(invalidRows / n) + (k < invalidRows % n ? 1 : 0);
    if (count > 0) invalidByRule[rule] = count;
  });
  const ignoredByReason: Record<string, number> = {};
  const preamble = PREAMBLE_ROWS[options.platform];
  if (preamble > 0) ignoredByReason.preamble = preamble;
  if (LAYOUTS[options.platform].summary) ignoredByReason.summary_row = SUMMARY_ROWS;
  const ignoredRows = Object.values(ignoredByReason).reduce((a, b) => a + b, 0);
  return {
    totalRows: r.rows + ignoredRows,
    validRows: r.rows - invalidRows,
    invalidRows,
    ignoredRows,
    invalidByRule,
    ignoredByReason,
  };
}

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cell(value: string, delim: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === delim || c === '"' || c === "\n" || c === "\r") return '"' + value.replaceAll('"', '""') + '"';
  }
  return value;
}

function money(cents: number): string {
  const s = String(cents);
  const int = s.length > 2 ? s.slice(0, -2) : "0";
  const frac = s.length > 2 ? s.slice(-2) : s.padStart(2, "0");
  return int + "." + frac;
}

function thousands(int: string): string {
  if (int.length <= 3) return int;
  let out = "";
  let k = int.length % 3 || 3;
  out = int.slice(0, k);
  for (; k < int.length; k += 3) out += "," + int.slice(k, k + 3);
  return out;
}

/** Streams the export. */
export function generateCsv(options: GenerateOptions): Readable {
  const r = resolve(options);
  const layout = LAYOUTS[options.platform];
  const platform = options.platform;
  const d = layout.delim;
  const rand = prng(r.seed);

  // Campaign names and ids are derived per campaign index (no per-campaign table is kept).
  const idBase = platform === "meta" ? "1202100" : platform === "google" ? "21" : "17";
  const idWidth = platform === "meta" ? 11 : platform === "google" ? 9 : 14;
  const campaignId = (c: number) => idBase + String(c + 1).padStart(idWidth, "0");
  const campaignName = (c: number) => {
    if (c % 13 === 5) return SPECIAL_NAMES[Math.floor(c / 13) % SPECIAL_NAMES.length];
    const h = Math.imul(c + 1, 2654435761) >>> 0;
    return `${WORDS[h % WORDS.length]} ${WORDS[(h >>> 8) % WORDS.length]} #${c + 1}`;
  };

  let i = 0; // next data row
  let dayIndex = -1;
  let dayText = "";
  let sumCents = 0;
  let sumImpr = 0;
  let sumClicks = 0;
  let first = true;
  let finished = false;
  const reportEnd = r.last;

  const lines: string[] = [];
  const emit = (fields: string[]) => {
    lines.push(fields.join(d));
  };

  function dataRow(): string[] {
    const day = Math.floor(i / r.campaigns);
    const c = i % r.campaigns;
    if (day !== dayIndex) {
      dayIndex = day;
      dayText = isoPlus(r.startMs, day);
    }
    const impressions = Math.floor(rand() * 200_000);
    const clicks = Math.floor(rand() * Math.min(impressions, 10_000) * 0.05);
    const cents = Math.floor(rand() * (impressions > 100_000 ? 900_000 : 90_000));
    const conv = rand();
    let conversions = conv < 0.1 ? "0" : conv < 0.8 ? String(Math.floor(conv * 40)) : (conv * 12).toFixed(2);
    let date = dayText;
    let id = campaignId(c);
    let spend = money(cents);
    let impr = String(impressions);
    let clk = String(clicks);
    let dropLast = false;
    if (platform === "google") {
      spend = cents >= 100_000 ? thousands(spend.slice(0, -3)) + spend.slice(-3) : spend;
      impr = thousands(impr);
      if (conversions === "0") conversions = "--";
    }
    if (platform === "tiktok") date = dayText + " 00:00:00";

    const bad = r.invalidEvery > 0 && (i + 1) % r.invalidEvery === 0;
    if (bad) {
      const j = (i + 1) / r.invalidEvery - 1;
      switch (GENERATED_INVALID_RULES[j % GENERATED_INVALID_RULES.length]) {
        case "spend_negative":
          spend = "-" + money(cents + 1);
          break;
        case "clicks_exceed_impressions":
          impr = "100";
          clk = "250";
          break;
        case "date_invalid":
          date = platform === "meta" ? "2023-02-30" : "13/45/2023";
          break;
        case "impressions_invalid":
          impr = "n/a";
          break;
        case "field_count":
          dropLast = true;
          break;
        case "campaign_id_missing":
          id = platform === "google" ? "--" : "";
          break;
        case "spend_invalid":
          spend = "12.3456789";
          break;
        case "date_in_future":
          date = "2099-12-31";
          break;
        case "clicks_invalid":
          clk = "1.5";
          break;
        case "conversions_invalid":
          conversions = "lots";
          break;
      }
    } else {
      sumCents += cents;
      sumImpr += impressions;
      sumClicks += clicks;
    }
    const name = cell(campaignName(c), d);
    let fields: string[];
    if (platform === "meta") {
      fields = [r.start, reportEnd, date, name, id, spend, impr, clk, conversions, "actions:offsite_conversion.fb_pixel_purchase"];
    } else if (platform === "google") {
      fields = [name, id, date, "USD", spend, impr, clk, conversions];
    } else {
      fields = [name, id, date, "USD", spend, impr, clk, conversions];
    }
    if (dropLast) fields.pop();
    i++;
    return fields;
  }

  function produce(targetChars: number): string {
    lines.length = 0;
    let size = 0;
    if (first) {
      for (const p of layout.preamble(r.start, r.last)) emit([p]);
      emit(layout.header.map((h) => cell(h, d)));
    }
    while (i < r.rows && size < targetChars) {
      emit(dataRow());
      size += lines[lines.length - 1].length + 2;
    }
    if (i >= r.rows && layout.summary) {
      const totals = ["USD", thousands(money(sumCents).slice(0, -3)) + money(sumCents).slice(-3), thousands(String(sumImpr)), String(sumClicks), "--"];
      emit(["Total: Campaigns", "--", "--", ...totals]);
      emit(["Total: Account", "--", "--", ...totals]);
      finished = true;
    } else if (i >= r.rows) finished = true;
    let text = lines.join(layout.eol);
    if (!first && lines.length > 0) text = layout.eol + text; // separator before this chunk's first line
    if (finished && layout.finalNewline && (lines.length > 0 || !first)) text += layout.eol;
    if (first && layout.bom) text = "\uFEFF" + text;
    first = false;
    return text;
  }

  return new Readable({
    highWaterMark: 1 << 16,
    read() {
      if (finished) {
        this.push(null);
        return;
      }
      const text = produce(1 << 16);
      if (text.length > 0) this.push(layout.utf16 ? Buffer.from(text, "utf16le") : Buffer.from(text, "utf8"));
      if (finished) this.push(null);
    },
  });
}
