import { randomUUID } from "node:crypto";
import type pg from "pg";
import { WORKER_ALLOWED_SQL } from "@/lib/controls/controls";
import { withTransaction } from "@/lib/db/sql";
import { log } from "@/lib/log";
import type { FileStore } from "@/lib/storage/file-store";
import { INSTANCE_ID } from "@/lib/instance";
import { claimUpload, MAX_ATTEMPTS, leaseSeconds, releaseLease, releaseWithBackoff, type ClaimedUpload } from "./claim-upload";
import { copyRowIssues, copyStagingRows } from "./copy-rows";
import type { StagingKey } from "./parse/key-filter";
import { ParseFailure, parseFile, type ParseBatch } from "./parse/parse-file";
import { ensureStagingPartition, STAGING_PLANS, stagingDay, summarizeStaging } from "@/lib/uploads/staging-rows";
import { transitionUpload } from "@/lib/uploads/transition";

export type ParseOutcome = { uploadId: string; result: "staged" | "failed" | "yielded" | "lost_lease" | "retry"; records: number; errorCode?: string };

/** `signal`: once aborted (the process is shutting down), the worker checkpoints at the next batch, releases its lease and claims nothing more. */
export type ParseOptions = { batchSize?: number; budgetMs?: number; today?: string; signal?: AbortSignal };

/** Records per committed batch: about 2 MB of COPY data; larger batches gained nothing measurable. */
const BATCH_RECORDS = 20_000;

/** Batches being committed at once: the next batch's COPY runs while the previous one commits. */
const COMMITS_IN_FLIGHT = 2;

/**
 * Commits one batch in one transaction: the rows with COPY, then the checkpoint, counters and day
 * totals, guarded by the lease, the expected checkpoint and the kill switch (renewing the lease). A killed
 * worker's successor resumes exactly after the last committed batch. Batches may be in flight
 * together: a batch's COPY runs at once, but its guard waits for the previous batch's commit and
 * needs that batch's checkpoint, so they commit in file order, and once one fails every later
 * one rolls back too.
 */
async function commitBatch(
  pool: pg.Pool,
  upload: ClaimedUpload,
  workerId: string,
  checkpoint: number,
  batch: ParseBatch,
  previous: Promise<boolean>,
): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    // The checkpoint commits with the rows, so an asynchronous commit can only lose both together
    // (the successor then re-parses from the earlier checkpoint); no fsync wait per batch.
    await client.query(`SET LOCAL synchronous_commit = off`);
    await copyStagingRows(client, batch, stagingDay(upload.created_at));
    await copyRowIssues(client, upload.id, batch.issues);
    if (!(await previous)) throw new LostLease();
    let invalid = 0;
    for (const issue of batch.issues) if (issue.kind === "invalid") invalid++;
    const ignored = batch.issues.length - invalid;
    const guard = await client.query(
      `UPDATE uploads SET parsed_records = parsed_records + $4, total_rows = total_rows + $4, valid_rows = valid_rows + $5,
              invalid_rows = invalid_rows + $6, ignored_rows = ignored_rows + $7, staged_rows = staged_rows + $5,
              first_date = LEAST(first_date, $9::date), last_date = GREATEST(last_date, $10::date),
              lease_expires_at = now() + make_interval(secs => $8), updated_at = now()
        WHERE id = $1 AND status = 'processing' AND locked_by = $2 AND lease_expires_at > now() AND parsed_records = $3
          AND ${WORKER_ALLOWED_SQL("'parse'")}`,
      [upload.id, workerId, checkpoint, batch.records, batch.validRows, invalid, ignored, leaseSeconds(), batch.firstDate, batch.lastDate],
    );
    if (!guard.rowCount) throw new LostLease();
    if (batch.daySpend.size) {
      await client.query(
        `INSERT INTO upload_day_totals AS t (upload_id, date, spend) SELECT $1, * FROM unnest($2::date[], $3::numeric[])
         ON CONFLICT (upload_id, date) DO UPDATE SET spend = t.spend + EXCLUDED.spend`,
        [upload.id, [...batch.daySpend.keys()], [...batch.daySpend.values()]],
      );
    }
    return true;
  }).catch((error) => {
    if (error instanceof LostLease) return false; // rolled back: the rows go with the refused checkpoint
    throw error;
  });
}

class LostLease extends Error {}

/** Keys whose rows the final duplicate search must look at: a list, or "all" the staged rows. */
type Suspects = StagingKey[] | "all";
/** Past this many suspect keys, searching all staged rows is simpler than listing them. */
const MAX_SUSPECTS = 10_000;

function addSuspects(suspects: Suspects, more: Suspects): Suspects {
  if (suspects === "all" || more === "all" || suspects.length + more.length > MAX_SUSPECTS) return "all";
  return more.length ? suspects.concat(more) : suspects;
}

type Ledger = {
  total_rows: number;
  valid_rows: number;
  invalid_rows: number;
  ignored_rows: number;
  parsed_records: number;
  staged: string;
  invalid: string;
  ignored: string;
};

/**
 * Finishes a parsed upload in one transaction: moves in-file duplicates of (date, campaign_id) to
 * `invalid/duplicate_key` (and their spend out of the day totals), proves the row ledger against what is stored, then stages or fails it.
 * The duplicate search looks only at the keys the parser's key filter suspects, when it saw every
 * row of the file in this run (none: no search at all); otherwise at every staged row.
 */
async function finishParse(pool: pg.Pool, upload: ClaimedUpload, workerId: string, suspects: Suspects): Promise<ParseOutcome> {
  const worker = { id: workerId, kind: "parse" as const };
  return withTransaction(pool, async (client) => {
    await client.query(STAGING_PLANS);
    const locked = await client.query(
      `SELECT 1 FROM uploads WHERE id = $1 AND status = 'processing' AND locked_by = $2 AND lease_expires_at > now() FOR UPDATE`,
      [upload.id, workerId],
    );
    if (!locked.rowCount) return { uploadId: upload.id, result: "lost_lease", records: 0 };
    // The keys to search ($2, $3 NULL: all of them); a hash aggregate finds out before the window sort.
    const day = stagingDay(upload.created_at);
    const keys = suspects === "all" ? [null, null] : [suspects.map((k) => k.date), suspects.map((k) => k.campaignId)];
    const suspect = `upload_id = $1 AND arrived_on = $4::date AND ($2::date[] IS NULL OR (date, campaign_id) IN (SELECT * FROM unnest($2::date[], $3::text[])))`;
    const anyDuplicate =
      suspects !== "all" && !suspects.length
        ? { rowCount: 0 }
        : await client.query(`SELECT 1 FROM staging_rows WHERE ${suspect} GROUP BY date, campaign_id HAVING count(*) > 1 LIMIT 1`, [upload.id, ...keys, day]);
    const dup = !anyDuplicate.rowCount
      ? { rowCount: 0 }
      : await client.query(
          `WITH ranked AS (
         SELECT line_no, date, campaign_id, first_value(line_no) OVER (PARTITION BY date, campaign_id ORDER BY line_no) AS first_line
           FROM staging_rows WHERE ${suspect}),
       moved AS (
         DELETE FROM staging_rows s USING ranked r
          WHERE s.upload_id = $1 AND s.arrived_on = $4::date AND s.line_no = r.line_no AND r.line_no <> r.first_line
         RETURNING s.line_no, s.date, s.campaign_id, s.campaign_name, s.spend, s.impressions, s.clicks, r.first_line),
       untotalled AS (
         UPDATE upload_day_totals t SET spend = t.spend - m.spend FROM (SELECT date, sum(spend) AS spend FROM moved GROUP BY date) m
          WHERE t.upload_id = $1 AND t.date = m.date)
       INSERT INTO row_issues (upload_id, line_no, kind, rule, message, raw)
       SELECT $1, line_no, 'invalid', 'duplicate_key',
              'campaign ' || campaign_id || ' on ' || date || ' already appears on line ' || first_line,
              concat_ws(',', date, campaign_id, campaign_name, spend, impressions, clicks)
         FROM moved`,
          [upload.id, ...keys, day],
        );
    const duplicates = dup.rowCount ?? 0;
    if (duplicates) {
      await client.query(`UPDATE uploads SET valid_rows = valid_rows - $2, invalid_rows = invalid_rows + $2, staged_rows = staged_rows - $2 WHERE id = $1`, [
        upload.id,
        duplicates,
      ]);
    }
    const { rows } = await client.query<Ledger>(
      `SELECT u.total_rows, u.valid_rows, u.invalid_rows, u.ignored_rows, u.parsed_records,
              (SELECT count(*) FROM staging_rows s WHERE s.upload_id = u.id AND s.arrived_on = $2::date) AS staged,
              (SELECT count(*) FROM row_issues i WHERE i.upload_id = u.id AND i.kind = 'invalid') AS invalid,
              (SELECT count(*) FROM row_issues i WHERE i.upload_id = u.id AND i.kind = 'ignored') AS ignored
         FROM uploads u WHERE u.id = $1`,
      [upload.id, day],
    );
    const l = rows[0];
    const problems: string[] = [];
    if (l.total_rows !== l.valid_rows + l.invalid_rows + l.ignored_rows)
      problems.push(`total ${l.total_rows} ≠ valid ${l.valid_rows} + invalid ${l.invalid_rows} + ignored ${l.ignored_rows}`);
    if (Number(l.staged) !== l.valid_rows) problems.push(`${l.staged} rows staged but ${l.valid_rows} counted valid`);
    if (Number(l.invalid) !== l.invalid_rows) problems.push(`${l.invalid} invalid records stored but ${l.invalid_rows} counted`);
    if (Number(l.ignored) !== l.ignored_rows) problems.push(`${l.ignored} ignored records stored but ${l.ignored_rows} counted`);
    if (l.parsed_records !== l.total_rows) problems.push(`checkpoint ${l.parsed_records} ≠ total ${l.total_rows}`);

    let failure: { code: string; text: string } | null = null;
    if (problems.length) {
      failure = { code: "DATA_LOSS", text: `Row ledger does not add up: ${problems.join("; ")}.` };
      log.error("ingestion.data_loss", { uploadId: upload.id, problems });
    } else if (l.valid_rows + l.invalid_rows === 0) {
      failure = { code: "EMPTY_FILE", text: `The file has no data rows (${l.ignored_rows} records ignored).` };
    } else if (upload.row_policy === "strict" && l.invalid_rows > 0) {
      failure = { code: "STRICT_POLICY", text: `${l.invalid_rows} invalid records and the workspace is strict: nothing is promoted.` };
    }
    const to = failure ? "failed" : "staged";
    const prev = await transitionUpload(client, {
      uploadId: upload.id,
      from: "processing",
      to,
      actor: `worker:parse:${workerId}`,
      reason: failure ? failure.text : `${l.valid_rows} valid, ${l.invalid_rows} invalid, ${l.ignored_rows} ignored of ${l.total_rows}`,
      worker,
      release: true,
      set: failure ? { error_code: failure.code, error_text: failure.text } : {},
    });
    if (!prev) return { uploadId: upload.id, result: "lost_lease", records: 0 };
    return { uploadId: upload.id, result: failure ? "failed" : "staged", records: l.total_rows, errorCode: failure?.code };
  });
}

async function failUpload(pool: pg.Pool, upload: ClaimedUpload, workerId: string, code: string, text: string): Promise<ParseOutcome> {
  const prev = await transitionUpload(pool, {
    uploadId: upload.id,
    from: ["pending", "processing"],
    to: "failed",
    actor: `worker:parse:${workerId}`,
    reason: text,
    worker: { id: workerId, kind: "parse" },
    release: true,
    set: { error_code: code, error_text: text },
  });
  return { uploadId: upload.id, result: prev ? "failed" : "lost_lease", records: 0, errorCode: code };
}

/** Parses one upload as far as the budget allows. */
export async function parseUpload(pool: pg.Pool, store: FileStore, upload: ClaimedUpload, workerId: string, options: ParseOptions = {}): Promise<ParseOutcome> {
  const started = Date.now();
  if (upload.attempts > MAX_ATTEMPTS) return failUpload(pool, upload, workerId, "MAX_ATTEMPTS", `Gave up after ${MAX_ATTEMPTS} attempts.`);
  if (upload.status === "pending") {
    const prev = await transitionUpload(pool, {
      uploadId: upload.id,
      from: "pending",
      to: "processing",
      actor: `worker:parse:${workerId}`,
      worker: { id: workerId, kind: "parse" },
    });
    if (!prev) return { uploadId: upload.id, result: "lost_lease", records: 0 };
  }
  if (!(await store.exists(upload.storage_key))) return failUpload(pool, upload, workerId, "FILE_MISSING", `The stored file ${upload.storage_key} is missing.`);

  const day = stagingDay(upload.created_at);
  await ensureStagingPartition(pool, day);
  const input = store.get(upload.storage_key);
  let checkpoint = upload.parsed_records;
  // Records committed by an earlier run are not seen by this run's key filter.
  let suspects: Suspects = checkpoint > 0 ? "all" : [];
  const batches = parseFile(input, {
    platform: upload.platform,
    defaultCurrency: upload.default_currency,
    today: options.today ?? new Date().toISOString().slice(0, 10),
    batchSize: options.batchSize ?? BATCH_RECORDS,
    skipRecords: checkpoint,
    stagingKey: upload.id,
  })[Symbol.asyncIterator]();
  // Parse the next batch while the database takes the current ones: Node and PostgreSQL work in parallel.
  let next = batches.next();
  const inFlight: { commit: Promise<boolean>; records: number }[] = [];
  let previous = Promise.resolve(true);
  let committed = checkpoint;
  let lost = false;
  // The BRIN summary of the pages committed so far, built while the next batches are parsed and copied
  // (one at a time) rather than all at once at the end, where nothing else would run beside it.
  let summarizing: Promise<void> | null = null;
  const settleOldest = async () => {
    const { commit, records } = inFlight[0];
    const ok = await commit;
    inFlight.shift();
    if (ok) committed += records;
    else lost = true;
    summarizing ??= summarizeStaging(pool, day)
      .catch((error) => log.warn("ingestion.summarize_failed", { uploadId: upload.id, error: String(error) }))
      .finally(() => (summarizing = null));
  };
  const done = (result: "lost_lease" | "yielded"): ParseOutcome => ({ uploadId: upload.id, result, records: committed - upload.parsed_records });
  try {
    for (;;) {
      const step = await next;
      if (step.done) break;
      next = batches.next();
      next.catch(() => {}); // surfaced by the await above on the next turn
      const batch = step.value;
      previous = commitBatch(
        pool,
        upload,
        workerId,
        checkpoint,
        batch,
        previous.catch(() => false),
      );
      inFlight.push({ commit: previous, records: batch.records });
      checkpoint += batch.records;
      suspects = addSuspects(suspects, batch.suspectKeys);
      if (inFlight.length >= COMMITS_IN_FLIGHT) await settleOldest();
      if (lost) break;
      if (options.signal?.aborted || (options.budgetMs !== undefined && Date.now() - started > options.budgetMs)) {
        while (inFlight.length) await settleOldest();
        if (lost) break;
        await releaseLease(pool, upload.id, workerId);
        return done("yielded");
      }
    }
    while (inFlight.length) await settleOldest();
    if (lost) return done("lost_lease");
  } catch (error) {
    await Promise.allSettled(inFlight.map((f) => f.commit)); // no transaction left open behind us
    if (error instanceof ParseFailure) return failUpload(pool, upload, workerId, error.code, error.message);
    log.warn("ingestion.parse_retry", { uploadId: upload.id, attempts: upload.attempts, error: String(error) });
    await releaseWithBackoff(pool, upload.id, workerId, upload.attempts);
    return { uploadId: upload.id, result: "retry", records: committed - upload.parsed_records, errorCode: "TEMPORARY" };
  } finally {
    await summarizing;
    await next.catch(() => {});
    await batches.return?.(undefined).catch(() => {});
    input.destroy();
  }
  await summarizeStaging(pool); // what is left: the last batches, and any other worker's crashed run
  return finishParse(pool, upload, workerId, suspects);
}

/** One call of the parse worker: claims and parses uploads until none wait or the budget is spent. */
export async function runParseWorker(pool: pg.Pool, store: FileStore, options: ParseOptions & { maxUploads?: number } = {}) {
  const workerId = `${INSTANCE_ID}:${randomUUID().slice(0, 8)}`;
  const budgetMs = options.budgetMs ?? 20_000;
  const started = Date.now();
  const outcomes: ParseOutcome[] = [];
  while (outcomes.length < (options.maxUploads ?? 10) && Date.now() - started < budgetMs && !options.signal?.aborted) {
    const upload = await claimUpload(pool, { worker: "parse", workerId, ready: "pending", inFlight: "processing" });
    if (!upload) break;
    outcomes.push(await parseUpload(pool, store, upload, workerId, { ...options, budgetMs: budgetMs - (Date.now() - started) }));
  }
  return { items: outcomes.reduce((n, o) => n + o.records, 0), uploads: outcomes };
}
