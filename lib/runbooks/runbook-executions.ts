import type pg from "pg";
import { refuse } from "@/lib/audit/accountable";
import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { decideRunbook, isRole } from "@/lib/auth/permissions";
import { escapeLike, Filter } from "@/lib/db/filter";
import type { AlertsRow, RunbookExecutionsRow, RunbookStepRecordsRow } from "@/lib/db/rows";
import { badRequest, conflict, forbidden, notFound } from "@/lib/errors";
import { parseUuid } from "@/lib/db/ids";
import { toCsv } from "./csv";
import { unresolvedSteps } from "./execution-rules";
import { findRunbook } from "./load-runbooks";
import { requiredSteps } from "./runbook-file";
import { executionFiltersSchema, type ClosingOutcome, type ExecutionFilters, type ExecutionStatus, type StepResult } from "./runbook.schema";

export type StepRecord = {
  id: number;
  stepId: string;
  /** The template section the step belonged to when it was recorded (detect, diagnose, steps …). */
  section: string;
  title: string;
  result: StepResult;
  note: string | null;
  recordedBy: string;
  recordedAt: string;
};

export type ExecutionAlert = { id: string; title: string; status: string; uploadId: string | null; runbook: string };

export type Execution = {
  id: string;
  runbook: string;
  runbookTitle: string;
  /** The runbook file's front-matter version this execution followed. */
  runbookVersion: string;
  /** The runbook file's sha256 when the execution started: a changed file is noticed even without a version bump. */
  runbookDigest: string | null;
  alertId: string | null;
  alert: ExecutionAlert | null;
  incidentId: string;
  startedBy: string;
  startedAt: string;
  lastActivityAt: string;
  status: ExecutionStatus;
  closedBy: string | null;
  closedAt: string | null;
  closingNote: string | null;
  /** Pass back as expectedVersion when closing. */
  version: number;
  /** Every step result in the order recorded (a retried step appears more than once). */
  records: StepRecord[];
  /** The latest result of each step. */
  latest: Record<string, StepRecord>;
  progress: { recorded: number; required: number; failed: number };
  /** Required steps without a result or whose latest result failed: what keeps it from closing as resolved. */
  unresolved: string[];
};


const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRecord(r: RunbookStepRecordsRow): StepRecord {
  return {
    id: Number(r.id),
    stepId: r.step_id,
    section: r.section,
    title: r.title,
    result: r.result,
    note: r.note,
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at.toISOString(),
  };
}

/** EXECUTION_COLUMNS: the execution and, when it answers one, its alert. */
type ExecutionRow = RunbookExecutionsRow &
  (
    | { alert_title: null; alert_status: null; alert_upload_id: null; alert_runbook: null }
    | { alert_id: string; alert_title: string; alert_status: AlertsRow["status"]; alert_upload_id: string | null; alert_runbook: string }
  );

function toExecution(r: ExecutionRow, records: StepRecord[]): Execution {
  const latest: Record<string, StepRecord> = {};
  for (const rec of records) latest[rec.stepId] = rec;
  const runbook = findRunbook(r.runbook);
  const required = runbook ? requiredSteps(runbook) : [];
  return {
    id: r.id,
    runbook: r.runbook,
    runbookTitle: r.runbook_title,
    runbookVersion: r.runbook_version,
    runbookDigest: r.runbook_digest,
    alertId: r.alert_id,
    alert: r.alert_title !== null ? { id: r.alert_id, title: r.alert_title, status: r.alert_status, uploadId: r.alert_upload_id, runbook: r.alert_runbook } : null,
    incidentId: r.incident_id,
    startedBy: r.started_by,
    startedAt: r.started_at.toISOString(),
    lastActivityAt: r.last_activity_at.toISOString(),
    status: r.status,
    closedBy: r.closed_by,
    closedAt: iso(r.closed_at),
    closingNote: r.closing_note,
    version: r.version,
    records,
    latest,
    progress: {
      recorded: required.filter((s) => latest[s.id]).length,
      required: required.length,
      failed: Object.values(latest).filter((rec) => rec.result === "failed").length,
    },
    unresolved: unresolvedSteps(required, latest),
  };
}

const EXECUTION_COLUMNS = `e.id, e.runbook, e.runbook_title, e.runbook_version, e.runbook_digest, e.alert_id, e.incident_id, e.started_by, e.started_at, e.last_activity_at,
  e.status::text AS status, e.closed_by, e.closed_at, e.closing_note, e.version,
  a.title AS alert_title, a.status::text AS alert_status, a.upload_id AS alert_upload_id, a.runbook AS alert_runbook`;
const EXECUTION_FROM = `runbook_executions e LEFT JOIN alerts a ON a.id = e.alert_id`;
const RECORD_COLUMNS = `id, execution_id, step_id, section, title, result::text AS result, note, recorded_by, recorded_at`;

async function withRecords(db: Queryable, rows: ExecutionRow[]): Promise<Execution[]> {
  if (!rows.length) return [];
  const records = await db.query<RunbookStepRecordsRow>(`SELECT ${RECORD_COLUMNS} FROM runbook_step_records WHERE execution_id = ANY($1::uuid[]) ORDER BY id`, [rows.map((r) => r.id)]);
  return rows.map((r) => toExecution(r, records.rows.filter((rec) => rec.execution_id === r.id).map(toRecord)));
}

export async function getRunbookExecutionOrThrow(db: Queryable, id: string): Promise<Execution> {
  const { rows } = await db.query(`SELECT ${EXECUTION_COLUMNS} FROM ${EXECUTION_FROM} WHERE e.id = $1`, [parseUuid(id, `Runbook execution ${id}`)]);
  if (!rows[0]) throw notFound(`Runbook execution ${id}`);
  return (await withRecords(db, rows))[0];
}

/** The WHERE clause of the execution log's filters. */
function filterSql(filters: ExecutionFilters): { where: string; params: unknown[] } {
  const f = executionFiltersSchema.parse(filters);
  const filter = new Filter()
    .where((p) => `e.runbook = ${p}`, f.runbook)
    .where((p) => `e.status = ${p}::"RunbookExecutionStatus"`, f.status)
    .where((p) => `e.incident_id = ${p}`, f.incident)
    .where((p) => `e.alert_id::text = ${p}`, f.alert)
    .where(
      // Whoever started, closed or recorded a step; the person's text is taken literally (escapeLike).
      (p) => `(e.started_by ILIKE ${p} OR e.closed_by ILIKE ${p} OR EXISTS (SELECT 1 FROM runbook_step_records r WHERE r.execution_id = e.id AND r.recorded_by ILIKE ${p}))`,
      f.person && `%${escapeLike(f.person)}%`,
    )
    .where((p) => `EXISTS (SELECT 1 FROM runbook_step_records r WHERE r.execution_id = e.id AND r.result = ${p}::"RunbookStepResult")`, f.result)
    .where((p) => `e.started_at >= ${p}::date`, f.from)
    .where((p) => `e.started_at < ${p}::date + 1`, f.to);
  return { where: filter.clause, params: filter.params };
}

/** The execution log: newest first, with every step result. */
export async function listRunbookExecutions(db: Queryable, filters: ExecutionFilters = {}, limit = 200): Promise<Execution[]> {
  const { where, params } = filterSql(filters);
  const { rows } = await db.query(`SELECT ${EXECUTION_COLUMNS} FROM ${EXECUTION_FROM} ${where} ORDER BY e.started_at DESC, e.id LIMIT ${Number(limit)}`, params);
  return withRecords(db, rows);
}

/** Open executions, oldest first: nobody may leave one behind silently. */
export async function listOpenExecutions(db: Queryable): Promise<Execution[]> {
  const { rows } = await db.query(`SELECT ${EXECUTION_COLUMNS} FROM ${EXECUTION_FROM} WHERE e.status = 'open' ORDER BY e.started_at`);
  return withRecords(db, rows);
}

/**
 * The route lets every holder of `runbook.execute_own` in; here the runbook's owner decides whether
 * they may run this one (decideRunbook). A refusal is audited like any other.
 */
async function authorizeRunbook(pool: pg.Pool, actor: AuditActor, slug: string, action: string, target: { type: string; id: string }) {
  const runbook = findRunbook(slug);
  if (!runbook) return;
  const decision = decideRunbook({ roles: actor.roles.filter(isRole) }, runbook.owner);
  if (!decision.allowed) await refuse(pool, actor, action, target, {}, forbidden(`Not allowed: ${decision.reason}.`, "RUNBOOK_NOT_YOURS"));
}

/**
 * Starts a run of a runbook for an alert or an incident (Iteration 06: who, when, which alert or
 * incident). One open execution per runbook and incident: a second start is told to continue the first.
 */
export async function startRunbookExecution(
  pool: pg.Pool,
  actor: AuditActor,
  input: { runbook: string; alertId?: string | null; incidentId?: string | null; now?: Date },
): Promise<Execution> {
  const runbook = findRunbook(input.runbook);
  if (!runbook) throw notFound(`Runbook ${input.runbook}`);
  const alertId = input.alertId || null;
  const incidentId = input.incidentId?.trim() || (alertId ? `alert:${alertId}` : "");
  const target = { type: "runbook", id: runbook.slug };
  await authorizeRunbook(pool, actor, runbook.slug, "runbook.start", target);
  if (!incidentId) await refuse(pool, actor, "runbook.start", target, {}, badRequest("Name the incident ID or the alert this run answers.", "INCIDENT_ID_REQUIRED"));
  if (alertId) {
    const alert = await pool.query(`SELECT 1 FROM alerts WHERE id = $1`, [parseUuid(alertId, `Alert ${alertId}`)]);
    if (!alert.rowCount) throw notFound(`Alert ${alertId}`);
  }
  const id = await withTransaction(pool, async (client) => {
    // Starts of the same runbook for the same incident serialize here, then insert only if none is open.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('runbook_executions:' || $1 || ':' || $2))`, [runbook.slug, incidentId]);
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO runbook_executions (id, runbook, runbook_title, runbook_version, runbook_digest, alert_id, incident_id, started_by, started_by_id, started_at, last_activity_at)
       SELECT gen_random_uuid(), $1, $2, $3, $9, $4, $5, $6, $7, $8, $8
        WHERE NOT EXISTS (SELECT 1 FROM runbook_executions WHERE runbook = $1 AND incident_id = $5 AND status = 'open')
       RETURNING id`,
      [runbook.slug, runbook.title, runbook.version, alertId, incidentId, actor.email, actor.id ?? null, input.now ?? new Date(), runbook.digest],
    );
    if (!rows[0]) {
      const open = await client.query<{ id: string; started_by: string }>(
        `SELECT id, started_by FROM runbook_executions WHERE runbook = $1 AND incident_id = $2 AND status = 'open'`,
        [runbook.slug, incidentId],
      );
      throw conflict(`${open.rows[0].started_by} already runs this runbook for ${incidentId} (execution ${open.rows[0].id}): continue that one.`, "EXECUTION_OPEN");
    }
    await recordAudit(client, {
      actor,
      action: "runbook.start",
      targetType: "runbook_execution",
      targetId: rows[0].id,
      incidentId,
      after: { runbook: runbook.slug, version: runbook.version, digest: runbook.digest, alertId },
      outcome: "ok",
    });
    return rows[0].id;
  });
  return getRunbookExecutionOrThrow(pool, id);
}

/** Records one step's result (ok / failed / skipped, with a note; failed and skipped must say why) on an open execution. */
export async function recordRunbookStep(
  pool: pg.Pool,
  actor: AuditActor,
  input: { executionId: string; stepId: string; result: StepResult; note?: string | null },
): Promise<Execution> {
  const execution = await getRunbookExecutionOrThrow(pool, input.executionId);
  await authorizeRunbook(pool, actor, execution.runbook, "runbook.step", { type: "runbook_execution", id: input.executionId });
  const step = findRunbook(execution.runbook)?.steps.find((s) => s.id === input.stepId);
  if (!step) throw badRequest(`Runbook ${execution.runbook} has no step ${input.stepId}.`, "UNKNOWN_STEP");
  const note = input.note?.trim() || null;
  if (input.result !== "ok" && !note) throw badRequest(`A ${input.result} step needs a note that says why.`, "NOTE_REQUIRED");
  await withTransaction(pool, async (client) => {
    const open = await client.query(`UPDATE runbook_executions SET version = version + 1, last_activity_at = now() WHERE id = $1 AND status = 'open' RETURNING id`, [
      input.executionId,
    ]);
    if (!open.rowCount) throw await closedError(client, input.executionId);
    await client.query(
      `INSERT INTO runbook_step_records (execution_id, step_id, section, title, result, note, recorded_by, recorded_by_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [input.executionId, step.id, step.section, step.title, input.result, note, actor.email, actor.id ?? null],
    );
    await recordAudit(client, {
      actor,
      action: "runbook.step",
      targetType: "runbook_execution",
      targetId: input.executionId,
      reason: note,
      incidentId: execution.incidentId,
      after: { runbook: execution.runbook, stepId: step.id, title: step.title, result: input.result },
      outcome: "ok",
    });
  });
  return getRunbookExecutionOrThrow(pool, input.executionId);
}

async function closedError(db: Queryable, id: string) {
  const e = await getRunbookExecutionOrThrow(db, id);
  return conflict(`This execution was closed as ${e.status} by ${e.closedBy} at ${e.closedAt}.`, "EXECUTION_CLOSED");
}

/**
 * Closes an execution with its outcome, on the version the person saw. Resolved needs every step of
 * detection → verification recorded and none failed (Iteration 06: no partial recovery); escalated and
 * aborted need a note saying to whom, or why.
 */
export async function closeRunbookExecution(
  pool: pg.Pool,
  actor: AuditActor,
  input: { executionId: string; outcome: ClosingOutcome; note?: string | null; expectedVersion: number },
): Promise<Execution> {
  const execution = await getRunbookExecutionOrThrow(pool, input.executionId);
  await authorizeRunbook(pool, actor, execution.runbook, "runbook.close", { type: "runbook_execution", id: input.executionId });
  if (execution.status !== "open") throw await closedError(pool, input.executionId);
  if (execution.version !== input.expectedVersion) {
    throw conflict(`Steps were recorded since you loaded this execution (version ${execution.version}, you saw ${input.expectedVersion}). Review them and close again.`, "STALE_EXECUTION");
  }
  const note = input.note?.trim() || null;
  if (input.outcome === "resolved") {
    const missing = execution.unresolved;
    if (missing.length) throw conflict(`Cannot close as resolved: ${missing.join("; ")}. Record them, or close as escalated.`, "NOT_RESOLVED");
  } else if (!note) {
    throw badRequest(input.outcome === "escalated" ? "Say to whom it was escalated and what is pending." : "Say why the runbook was aborted.", "NOTE_REQUIRED");
  }
  await withTransaction(pool, async (client) => {
    const { rowCount } = await client.query(
      `UPDATE runbook_executions SET status = $3::"RunbookExecutionStatus", closed_by = $4, closed_at = now(), closing_note = $5, version = version + 1, last_activity_at = now()
        WHERE id = $1 AND status = 'open' AND version = $2`,
      [input.executionId, input.expectedVersion, input.outcome, actor.email, note],
    );
    if (!rowCount) throw conflict("This execution changed while you were closing it; reload and close again.", "STALE_EXECUTION");
    await recordAudit(client, {
      actor,
      action: "runbook.close",
      targetType: "runbook_execution",
      targetId: input.executionId,
      reason: note,
      incidentId: execution.incidentId,
      before: { status: "open" },
      after: { status: input.outcome, runbook: execution.runbook, progress: execution.progress },
      outcome: "ok",
    });
  });
  return getRunbookExecutionOrThrow(pool, input.executionId);
}

// ---- CSV export ---------------------------------------------------------------------------------

export const CSV_COLUMNS = [
  "execution_id",
  "runbook",
  "runbook_version",
  "incident_id",
  "alert_id",
  "started_by",
  "started_at",
  "status",
  "closed_by",
  "closed_at",
  "closing_note",
  "step_id",
  "section",
  "step_title",
  "result",
  "note",
  "recorded_by",
  "recorded_at",
] as const;

/** The execution log as rows for CSV: one per step result (an execution without any gets one row). */
export async function executionLogRows(db: Queryable, filters: ExecutionFilters = {}, limit = 50_000): Promise<unknown[][]> {
  const { where, params } = filterSql(filters);
  const { rows } = await db.query(
    `SELECT e.id, e.runbook, e.runbook_version, e.incident_id, e.alert_id, e.started_by, e.started_at, e.status::text, e.closed_by, e.closed_at, e.closing_note,
            r.step_id, r.section, r.title, r.result::text, r.note, r.recorded_by, r.recorded_at
       FROM ${EXECUTION_FROM} LEFT JOIN runbook_step_records r ON r.execution_id = e.id
       ${where}
      ORDER BY e.started_at DESC, e.id, r.id LIMIT ${Number(limit)}`,
    params,
  );
  return rows.map((r) => [
    r.id,
    r.runbook,
    r.runbook_version,
    r.incident_id,
    r.alert_id,
    r.started_by,
    r.started_at,
    r.status,
    r.closed_by,
    r.closed_at,
    r.closing_note,
    r.step_id,
    r.section,
    r.title,
    r.result,
    r.note,
    r.recorded_by,
    r.recorded_at,
  ]);
}

/** The filtered execution log as a spreadsheet-safe CSV file. */
export async function executionLogCsv(db: Queryable, filters: ExecutionFilters = {}): Promise<string> {
  return toCsv(CSV_COLUMNS, await executionLogRows(db, filters));
}
