import type { Readable } from "node:stream";
import type { Queryable } from "@/lib/db/sql";
import { matchHeader, type HeaderMatch, type Platform } from "@/lib/ingestion/parse/aliases";
import { CsvScanner, NEED_MORE } from "@/lib/ingestion/parse/csv-scanner";
import { dates, parseDate } from "@/lib/ingestion/parse/values";
import type { FileStore } from "@/lib/storage/file-store";

/**
 * D10-02 for the Support Lead: which campaigns of a partial upload were *not* fully promoted, and why.
 * An invalid row is stored with its raw text only, so its campaign and date are read back from that
 * text with the file's own header row (the same header matching the parser uses).
 */

const DELIMITERS = [",", "\t", ";"] as const;
const HEAD_BYTES = 1 << 20;
const HEADER_LOOKAHEAD = 200;
/** Invalid rows attributed per upload; beyond it the rest are counted, not attributed. */
export const MAX_ATTRIBUTED_ROWS = 20_000;
const SAMPLES_PER_RULE = 3;
const MAX_DATES = 31;

export type LostRule = { rule: string; rows: number; samples: { lineNo: number; message: string | null; raw: string | null }[] };

export type CampaignLoss = {
  /** Null when the row's campaign cannot be read (the ID cell is empty, or the row is cut short). */
  campaignId: string | null;
  campaignName: string | null;
  /** Rows of this campaign that were loaded (from staging, or production lineage once cleaned). */
  rowsLoaded: number;
  rowsLost: number;
  byRule: LostRule[];
  /** The dates of the lost rows (YYYY-MM-DD, at most 31), and how many lost rows had no readable date. */
  dates: string[];
  moreDates: number;
  unreadableDates: number;
};

export type PartialLosses = {
  campaigns: CampaignLoss[];
  /** Every date some campaign lost rows on, sorted (at most 31). */
  dates: string[];
  /** Invalid rows beyond MAX_ATTRIBUTED_ROWS, counted in no campaign. */
  unattributed: number;
  /** Why campaigns could not be read from the rows, when they could not (file gone, no header). */
  headerProblem: string | null;
};

type Header = { delimiter: string; match: HeaderMatch };

function cellsOf(text: string, delimiter: string): string[] | null {
  const b = Buffer.from(text, "utf8");
  const sc = new CsvScanner(delimiter);
  return sc.next(b, 0, true) === NEED_MORE ? null : sc.cells(b);
}

function decodeHead(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  return new TextDecoder("utf-8").decode(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes);
}

async function readHead(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= HEAD_BYTES) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, HEAD_BYTES);
}

/** The header row of the stored file: the first line (of the first 200) that names every required column. */
export async function readHeader(store: FileStore, storageKey: string, platform: Platform): Promise<Header | string> {
  let head: string;
  try {
    head = decodeHead(await readHead(store.get(storageKey)));
  } catch (error) {
    return `the uploaded file could not be read (${(error as Error).message})`;
  }
  const lines = head.split(/\r\n|\n|\r/).slice(0, HEADER_LOOKAHEAD);
  for (const line of lines) {
    for (const delimiter of DELIMITERS) {
      const cells = cellsOf(line, delimiter);
      if (!cells) continue;
      const match = matchHeader(platform, cells);
      if (match.missing.length === 0) return { delimiter, match };
    }
  }
  return "no header row was found in the uploaded file";
}

function isoDate(text: string | undefined): string | null {
  if (text === undefined) return null;
  const b = Buffer.from(text, "utf8");
  return parseDate(b, 0, b.length) ? dates.out : null;
}

/** Campaign, name and date of one invalid row's raw text (nulls where the cell is missing or empty). */
export function readRow(raw: string, header: Header): { campaignId: string | null; campaignName: string | null; date: string | null } {
  const cells = cellsOf(raw, header.delimiter) ?? [];
  const cell = (index: number) => (index >= 0 && index < cells.length ? cells[index].trim() || null : null);
  return {
    campaignId: cell(header.match.columns.campaign_id),
    campaignName: cell(header.match.columns.campaign_name),
    date: isoDate(cell(header.match.columns.date) ?? undefined),
  };
}

/**
 * Groups the upload's invalid rows by campaign: rows lost per rule with sample lines, the dates
 * affected, and how many of the campaign's rows were loaded. Campaigns are ordered by rows lost.
 */
export async function partialLosses(
  db: Queryable,
  store: FileStore,
  upload: { id: string; platform: Platform; storageKey: string; fromStaging: boolean },
): Promise<PartialLosses> {
  const [issues, total] = await Promise.all([
    db.query<{ line_no: number; rule: string; message: string | null; raw: string | null }>(
      `SELECT line_no, rule, message, raw FROM row_issues WHERE upload_id = $1 AND kind = 'invalid' ORDER BY line_no LIMIT ${MAX_ATTRIBUTED_ROWS}`,
      [upload.id],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM row_issues WHERE upload_id = $1 AND kind = 'invalid'`, [upload.id]),
  ]);
  const header = issues.rows.length ? await readHeader(store, upload.storageKey, upload.platform) : "no invalid rows";
  const byCampaign = new Map<string, CampaignLoss & { dateSet: Set<string>; ruleMap: Map<string, LostRule> }>();
  for (const issue of issues.rows) {
    const row = typeof header === "string" || issue.raw === null ? { campaignId: null, campaignName: null, date: null } : readRow(issue.raw, header);
    const key = row.campaignId ?? `?${row.campaignName ?? ""}`;
    let c = byCampaign.get(key);
    if (!c) {
      c = {
        campaignId: row.campaignId,
        campaignName: row.campaignName,
        rowsLoaded: 0,
        rowsLost: 0,
        byRule: [],
        dates: [],
        moreDates: 0,
        unreadableDates: 0,
        dateSet: new Set(),
        ruleMap: new Map(),
      };
      byCampaign.set(key, c);
    }
    c.campaignName ??= row.campaignName;
    c.rowsLost++;
    if (row.date) c.dateSet.add(row.date);
    else c.unreadableDates++;
    let rule = c.ruleMap.get(issue.rule);
    if (!rule) c.ruleMap.set(issue.rule, (rule = { rule: issue.rule, rows: 0, samples: [] }));
    rule.rows++;
    if (rule.samples.length < SAMPLES_PER_RULE)
      rule.samples.push({ lineNo: issue.line_no, message: issue.message, raw: issue.raw === null ? null : issue.raw.slice(0, 500) });
  }

  const ids = [...byCampaign.values()].map((c) => c.campaignId).filter((id): id is string => id !== null);
  if (ids.length) {
    const loaded = await db.query<{ campaign_id: string; campaign_name: string; rows: number }>(
      upload.fromStaging
        ? `SELECT campaign_id, max(campaign_name) AS campaign_name, count(*)::int AS rows FROM staging_rows WHERE upload_id = $1 AND campaign_id = ANY($2::text[]) GROUP BY campaign_id`
        : `SELECT campaign_id, max(campaign_name) AS campaign_name, count(*)::int AS rows FROM metrics WHERE upload_id = $1 AND campaign_id = ANY($2::text[]) GROUP BY campaign_id`,
      [upload.id, ids],
    );
    for (const r of loaded.rows) {
      const c = byCampaign.get(r.campaign_id)!;
      c.rowsLoaded = r.rows;
      c.campaignName ??= r.campaign_name;
    }
  }

  const all = new Set<string>();
  const campaigns = [...byCampaign.values()]
    .map(({ dateSet, ruleMap, ...c }) => {
      const sorted = [...dateSet].sort();
      for (const d of sorted) all.add(d);
      return {
        ...c,
        dates: sorted.slice(0, MAX_DATES),
        moreDates: Math.max(0, sorted.length - MAX_DATES),
        byRule: [...ruleMap.values()].sort((a, b) => b.rows - a.rows || a.rule.localeCompare(b.rule)),
      };
    })
    .sort((a, b) => b.rowsLost - a.rowsLost || (a.campaignId ?? "~").localeCompare(b.campaignId ?? "~"));
  return {
    campaigns,
    dates: [...all].sort().slice(0, MAX_DATES),
    unattributed: total.rows[0].n - issues.rows.length,
    headerProblem: typeof header === "string" && issues.rows.length ? header : null,
  };
}
