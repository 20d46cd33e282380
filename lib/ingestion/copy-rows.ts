import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { RowIssue, StagedRow } from "./parse/parse-file";

const SPECIAL = /[\\\t\n\r\u0000]/;

/** Escapes a value for COPY's text format. */
function text(value: string): string {
  if (!SPECIAL.test(value)) return value;
  return value.replace(/\u0000/g, "").replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

async function copy(client: pg.PoolClient, sql: string, body: string) {
  await pipeline(Readable.from([body]), client.query(copyFrom(sql)));
}

/** Writes a batch's valid rows into staging with COPY (never row-by-row inserts). */
export async function copyStagingRows(client: pg.PoolClient, uploadId: string, rows: readonly StagedRow[]) {
  if (!rows.length) return;
  let body = "";
  for (const r of rows) {
    body += `${uploadId}\t${r.lineNo}\t${r.date}\t${text(r.campaignId)}\t${text(r.campaignName)}\t${r.spend}\t${r.impressions}\t${r.clicks}\t${r.conversions}\t${r.currency}\n`;
  }
  await copy(
    client,
    `COPY staging_rows (upload_id, line_no, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency) FROM STDIN`,
    body,
  );
}

export async function copyRowIssues(client: pg.PoolClient, uploadId: string, issues: readonly RowIssue[]) {
  if (!issues.length) return;
  let body = "";
  for (const i of issues) body += `${uploadId}\t${i.lineNo}\t${i.kind}\t${i.rule}\t${text(i.message)}\t${text(i.raw)}\n`;
  await copy(client, `COPY row_issues (upload_id, line_no, kind, rule, message, raw) FROM STDIN`, body);
}
