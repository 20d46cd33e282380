import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { recycleStaged, STAGING_COPY_COLUMNS } from "./parse/copy-binary";
import type { ParseBatch, RowIssue } from "./parse/parse-file";
import { stagingPartitionName } from "../uploads/staging-rows";

/** Runs one COPY … FROM STDIN with `body`; answers the number of rows PostgreSQL stored. */
async function copy(client: pg.PoolClient, sql: string, body: string | Buffer): Promise<number> {
  const stream = client.query(copyFrom(sql));
  await pipeline(Readable.from([body]), stream);
  return stream.rowCount;
}

/**
 * Writes a batch's valid rows into staging with COPY (never row-by-row inserts): the parser already
 * wrote them as binary COPY data, keyed by the upload ID, into its arrival day's partition. Throws unless PostgreSQL stored exactly
 * the rows the parser counted, so the transaction carrying the counters rolls back with them. The
 * batch's bytes belong to the parser again afterwards.
 */
export async function copyStagingRows(client: pg.PoolClient, batch: ParseBatch, day: string): Promise<void> {
  if (!batch.validRows) return;
  // Straight into the day's partition: routing every row through the partitioned parent cost
  // PostgreSQL time on the hot path. arrived_on is left to the partition's default, its own day.
  const partition = stagingPartitionName(day);
  const stored = await copy(client, `COPY ${partition} (upload_id, ${STAGING_COPY_COLUMNS.join(", ")}) FROM STDIN (FORMAT binary)`, batch.staged);
  if (stored !== batch.validRows) throw new Error(`COPY stored ${stored} staging rows but the batch holds ${batch.validRows}`);
  recycleStaged(batch.staged); // the COPY has ended: the parser may write the next batches into it
}

/** Escapes a string for COPY's text format (NUL, which PostgreSQL cannot store, is dropped). */
export function escapeCopyText(value: string): string {
  return value.replace(/[\\\t\n\r\u0000]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : ""));
}

export async function copyRowIssues(client: pg.PoolClient, uploadId: string, issues: readonly RowIssue[]) {
  if (!issues.length) return;
  let body = "";
  for (const i of issues) body += `${uploadId}\t${i.lineNo}\t${i.kind}\t${i.rule}\t${escapeCopyText(i.message)}\t${escapeCopyText(i.raw)}\n`;
  const stored = await copy(client, `COPY row_issues (upload_id, line_no, kind, rule, message, raw) FROM STDIN`, body);
  if (stored !== issues.length) throw new Error(`COPY stored ${stored} row issues but the batch holds ${issues.length}`);
}
