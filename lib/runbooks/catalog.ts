import type { Role } from "@/lib/auth/permissions";

/**
 * The runbooks (Iteration 06): every D10 scenario, the D8 procedures and the WT-06 freshness
 * investigation, as data. Each step says exactly what to do and names the console page and action, the
 * SQL or the `jq` command over the JSON logs that performs it. SQL here only reads; every change goes
 * through a console action, which checks permission, asks for a reason and an incident ID, and is audited.
 *
 * Conventions in the commands: `<UPLOAD_ID>`, `<WORKSPACE>` (slug), `<INCIDENT_ID>`… come from the alert;
 * `psql "$DATABASE_URL"` runs the SQL (read-only access is enough); `ingestion.log` is the application's
 * JSON-lines output (stdout + stderr; `npm run start 2>&1 | tee ingestion.log` keeps one locally);
 * `$BASE_URL` is the console's URL and `$CRON_SECRET` the worker routes' bearer secret.
 */

/** Bump when a runbook's steps change; every execution records the version it followed. */
export const CATALOG_VERSION = "2026-11-25.1";

export const SECTIONS = ["detection", "diagnosis", "recovery", "verification", "rollback"] as const;
export type Section = (typeof SECTIONS)[number];
export const SECTION_LABEL: Record<Section, string> = {
  detection: "Detection",
  diagnosis: "Diagnosis",
  recovery: "Recovery",
  verification: "Verification",
  rollback: "Rollback",
};

/** What performs a step: a console page (and the button on it), a read-only SQL query, a jq command over the logs, or a shell command. */
export type How =
  | { kind: "console"; page: string; action?: string }
  | { kind: "sql"; text: string }
  | { kind: "jq"; text: string }
  | { kind: "shell"; text: string };

type StepInput = {
  title: string;
  /** The exact instruction. */
  do: string;
  how?: How[];
  /** What you should see when the step worked. */
  expect: string;
  /** The explicit "if not": what to do instead. */
  ifNot?: string;
};

type RunbookInput = {
  slug: string;
  title: string;
  kind: "failure" | "procedure";
  /** The seed scenarios and sections it implements, e.g. ["D10-10", "D8 §3.4"]. */
  sources: string[];
  owner: Role;
  summary: string;
  /** The hard stop of D10, where there is one. */
  hardStop?: string;
} & Record<Section, StepInput[]>;

export type RunbookStep = StepInput & { id: string; section: Section };
export type Runbook = Omit<RunbookInput, Section> & { sections: { section: Section; label: string; steps: RunbookStep[] }[]; steps: RunbookStep[] };

const page = (path: string, action?: string): How => ({ kind: "console", page: path, action });
const sql = (text: string): How => ({ kind: "sql", text });
const jq = (text: string): How => ({ kind: "jq", text });
const sh = (text: string): How => ({ kind: "shell", text });

// ---- shared steps ---------------------------------------------------------------------------------

const CONTROLS_SQL = sql(`SELECT key, value, set_by, set_at, reason, incident_id, expires_at FROM ingestion_controls ORDER BY key;`);
const ERROR_RATE_SQL = sql(
  `SELECT count(*) AS uploads, count(*) FILTER (WHERE status = 'failed') AS failed,
       round(count(*) FILTER (WHERE status = 'failed') * 100.0 / nullif(count(*), 0), 1) AS error_rate_pct
  FROM uploads WHERE created_at > now() - interval '1 hour';`,
);
const ERROR_CODES_SQL = sql(
  `SELECT error_code, count(*) AS uploads, min(created_at) AS first, max(created_at) AS last
  FROM uploads WHERE status = 'failed' AND created_at > now() - interval '1 hour'
 GROUP BY error_code ORDER BY count(*) DESC;`,
);
const STUCK_SQL = sql(
  `SELECT id, status, updated_at, locked_by, lease_expires_at, attempts, parsed_records,
       round(extract(epoch FROM now() - updated_at) / 60) AS minutes_in_state
  FROM uploads
 WHERE status IN ('pending', 'processing', 'staged', 'promoting') AND updated_at < now() - interval '30 minutes'
 ORDER BY updated_at;`,
);
const WORKER_RUNS_SQL = sql(
  `SELECT worker, started_at, duration_ms, items, backlog, outcome
  FROM worker_runs WHERE started_at > now() - interval '15 minutes'
 ORDER BY started_at DESC LIMIT 30;`,
);
const WORKER_FAILED_JQ = jq(`jq -c 'select(.event == "worker.failed") | {time, worker, error}' ingestion.log | tail -20`);

const acknowledge: StepInput = {
  title: "Acknowledge the alert",
  do: "On the Alerts page, acknowledge the alert that sent you here, so that it stops escalating (D10-06), and post “Investigating <alert title>, stand by” in #ingestion-rollout (D8 §5.1).",
  how: [page("/alerts", "Acknowledge")],
  expect: "The alert shows acknowledged by you.",
  ifNot: "If it is already acknowledged by someone else, talk to them before acting: one person drives an incident.",
};

const pauseStep = (why: string): StepInput => ({
  title: "Pause (drain) ingestion",
  do: `On Controls, press “Pause ingestion”; Reason: “${why}”; Incident ID: the incident's ID. New uploads get 503 with Retry-After; uploads in flight finish (D8 §4.1).`,
  how: [page("/controls", "Pause ingestion")],
  expect: "Controls shows “Ingestion is DRAINING” with your name, reason and incident ID; the Audit page has a controls.drain entry.",
  ifNot: "If the button is disabled, its reason says which role may: call the SRE Lead or Ingestion Owner (D9 escalation).",
});

const resumeStep: StepInput = {
  title: "Resume ingestion",
  do: "On Controls, press “Resume ingestion”; Reason: what was fixed; Incident ID: the same incident. Lifting a halt needs the SRE Lead or Ingestion Owner (on-call only during a declared P1).",
  how: [page("/controls", "Resume ingestion")],
  expect: "Controls shows “Ingestion is RUNNING”; the Audit page has a controls.resume entry.",
  ifNot: "If refused as stale, someone changed the mode since you loaded the page: reload, read who and why, then decide again.",
};

const auditCheck: StepInput = {
  title: "Check the audit trail",
  do: "Open the Audit page filtered by the incident ID and check that every action of this runbook is there with actor, reason and incident ID.",
  how: [page("/audit?incident=<INCIDENT_ID>")],
  expect: "One entry per action you took, outcome ok.",
  ifNot: "A missing entry means the action did not happen: repeat it from the console. Never change data by SQL.",
};

const announce = (text: string): StepInput => ({
  title: "Announce in #ingestion-rollout",
  do: `Post in #ingestion-rollout: ${text}`,
  expect: "The message is posted with the time, the incident ID and the next update time.",
});

// ---- the runbooks ---------------------------------------------------------------------------------

const RUNBOOK_INPUTS: RunbookInput[] = [
  {
    slug: "d8-stuck-upload",
    title: "Upload stuck in a non-terminal state",
    kind: "failure",
    sources: ["D10-10", "D8 §3.4", "D8 §5.4"],
    owner: "oncall",
    summary: "An upload has stayed in pending, processing, staged or promoting for more than 30 minutes. Decide resume or abort; never force-promote.",
    hardStop: "Never force-promote (D10-10): a stuck upload is resumed by a worker or aborted by force-fail, never pushed to completed by hand.",
    detection: [
      {
        title: "Confirm the stuck upload",
        do: "On the Overview, read the “Stuck uploads (> 30 min)” tile; the stuck_upload alert names the upload, its status and the minutes in that state.",
        how: [page("/", "Stuck uploads (> 30 min)"), STUCK_SQL],
        expect: "At least one upload in pending, processing, staged or promoting for more than 30 minutes.",
        ifNot: "If the tile shows 0 and the query returns no row, the upload moved on by itself: close this execution as aborted with the note “resolved before action”.",
      },
      acknowledge,
    ],
    diagnosis: [
      {
        title: "Inspect the upload",
        do: "Open the upload's page. Note its status, attempts, the lease (“leave it: a worker re-claims it when its lease … expires”), and the last line of the State timeline (who moved it last).",
        how: [page("/uploads/<UPLOAD_ID>"), sql(`SELECT id, status, updated_at, locked_by, lease_expires_at, attempts, parsed_records, total_rows, error_code, rerun_blocked FROM uploads WHERE id = '<UPLOAD_ID>';`)],
        expect: "A non-terminal status with updated_at more than 30 minutes ago.",
      },
      {
        title: "Check the kill switch, freezes and workspace pause",
        do: "On Controls, read the global mode, the per-worker freezes and the upload's workspace. pending/processing wait for the parse worker; staged/promoting for the promote worker.",
        how: [page("/controls"), CONTROLS_SQL, sql(`SELECT slug, paused, paused_by, pause_reason, pause_expires_at FROM workspaces WHERE slug = '<WORKSPACE>';`)],
        expect: "Ingestion RUNNING, the worker not frozen and the workspace not paused.",
        ifNot: "If it is halted, frozen or paused, the upload is held on purpose and is not stuck: record this step ok with a note naming the control and who set it, and close the execution as aborted (or follow the resume runbook if the hold should end).",
      },
      {
        title: "Check that the worker runs",
        do: "Look at the worker's runs in the last 15 minutes and at worker failures in the log.",
        how: [WORKER_RUNS_SQL, WORKER_FAILED_JQ],
        expect: "Runs every few seconds with outcome ok and no worker.failed lines for this worker.",
        ifNot:
          "No runs at all: the scheduler is not calling the worker — trigger one run by hand (recovery step “Resume”) and escalate to the SRE Lead. worker.failed lines: the error names the dependency (database, file store); follow the circuit-breaker runbook.",
      },
      {
        title: "Read this upload's log lines and decide: resume or abort",
        do: "List the upload's events in the log. Resume if the lease is held by a worker that died (it expires within 60 s and another worker continues from the checkpoint) or if the last attempts failed on a temporary error. Abort if every attempt fails the same way, or the file itself is the problem.",
        how: [jq(`jq -c 'select(.uploadId == "<UPLOAD_ID>") | {time, event, from, to, attempts, error}' ingestion.log`)],
        expect: "A decision, written in this step's note: “resume because …” or “abort because …”.",
      },
    ],
    recovery: [
      {
        title: "Resume: let a worker re-claim it",
        do: "If you decided to resume: wait until the lease shown on the upload page has passed, or trigger one worker run now (parse for pending/processing, promote for staged/promoting). The worker continues from the last committed checkpoint without duplicating rows. Skip this step if you decided to abort.",
        how: [sh(`curl -s -X POST -H "Authorization: Bearer $CRON_SECRET" "$BASE_URL/api/cron/parse"   # or /api/cron/promote`)],
        expect: "Within 2 minutes the upload's State timeline shows a new transition by a worker.",
        ifNot: "If nothing moves within 5 minutes, abort with the next step.",
      },
      {
        title: "Abort: force-fail the upload",
        do: "If you decided to abort: on the upload page press “Force-fail”; Reason: “stuck <N> min in <status>: <what you found>”; Incident ID. It is a compare-and-set from the status on screen; staging rows are kept. Skip this step if the resume worked. Never UPDATE the row by SQL.",
        how: [page("/uploads/<UPLOAD_ID>", "Force-fail")],
        expect: "The page header shows failed and FORCE_FAILED with your reason.",
        ifNot: "If it answers that the upload is now in another status, a worker moved it: reload and go back to “Inspect the upload”.",
      },
    ],
    verification: [
      {
        title: "The upload is terminal and nothing else is stuck",
        do: "Re-run the stuck-uploads query and look at the Overview tile.",
        how: [STUCK_SQL, page("/")],
        expect: "The upload is completed, partial or failed; the query returns no row; the tile shows 0; the alert resolves at the monitor's next run (about a minute).",
        ifNot: "If other uploads are stuck, run this runbook for each (one execution per upload).",
      },
      auditCheck,
      {
        title: "Tell the client when aborted",
        do: "If you force-failed it, post in #ingestion-rollout: upload <UPLOAD_ID> (<WORKSPACE>, file name) was force-failed; the client must re-send a corrected file (the same file is refused as a duplicate while the failed upload exists).",
        expect: "The Support Lead has the upload ID and the reason.",
      },
    ],
    rollback: [
      {
        title: "A force-fail is not undone",
        do: "A force-failed upload stays failed. To load its data, the client uploads the file again (a new upload). Its kept staging rows are removed later with the staging-cleanup runbook.",
        how: [page("/staging")],
        expect: "No manual state change; the new upload flows normally.",
      },
    ],
  },
  {
    slug: "d8-error-rate",
    title: "Upload error rate above threshold",
    kind: "failure",
    sources: ["D8 §3.4", "D8 §5.1–5.3"],
    owner: "oncall",
    summary: "Failed ÷ all uploads created in the last hour crossed 5 % (warn), 10 % (page) or 20 % (roll back).",
    hardStop: "At ≥ 20 % or on any data-integrity risk, roll back to the previous phase (runbook d8-rollback-phase).",
    detection: [
      {
        title: "Read the error rate",
        do: "On the Overview, read the “Error rate, last hour” tile and the error-rate chart; confirm with the query.",
        how: [page("/", "Error rate, last hour"), ERROR_RATE_SQL],
        expect: "The rate and the count of failed uploads; 5 % warn, 10 % page, 20 % roll back.",
      },
      acknowledge,
    ],
    diagnosis: [
      {
        title: "Group the failures by error code",
        do: "Run the error-distribution query; open two failed uploads of the biggest group on the Uploads page (Status: failed).",
        how: [ERROR_CODES_SQL, page("/uploads?status=failed")],
        expect: "One or two error codes explain most failures.",
      },
      {
        title: "Find the scope: workspaces, platforms, start time",
        do: "Run the scope query: failures per workspace, platform and error code.",
        how: [
          sql(`SELECT w.slug, u.platform, u.error_code, count(*), min(u.created_at) AS first
  FROM uploads u JOIN workspaces w ON w.id = u.workspace_id
 WHERE u.status = 'failed' AND u.created_at > now() - interval '1 hour'
 GROUP BY 1, 2, 3 ORDER BY count(*) DESC;`),
        ],
        expect: "Whether one workspace / platform or everything is failing, and since when.",
      },
      {
        title: "Check dependencies and workers",
        do: "Check /ready, the circuit breakers and worker failures in the log.",
        how: [sh(`curl -s "$BASE_URL/ready"`), page("/breakers"), WORKER_FAILED_JQ],
        expect: "/ready answers ready: true; every breaker CLOSED; no worker.failed lines.",
        ifNot: "A breaker OPEN or /ready failing: follow the circuit-breaker runbook in parallel.",
      },
      {
        title: "Decide per D8 §5.1",
        do: "Under 10 %: keep investigating, no pause. 10 % or more: pause (next step). 20 % or more, or data integrity at risk: roll back (runbook d8-rollback-phase). Write the decision in this step's note.",
        expect: "A decision written in the note.",
      },
    ],
    recovery: [
      pauseStep("error rate above 10 %: investigating"),
      {
        title: "Fix the cause or pause the one workspace",
        do: "If one workspace sends bad files (INVALID_FILE / header errors), pause only that workspace on Controls (“Pause workspace”) and resume global ingestion; tell the Support Lead which files to fix. If a dependency is down, wait for the breaker to close.",
        how: [page("/controls", "Pause workspace")],
        expect: "New uploads of the healthy workspaces complete.",
      },
    ],
    verification: [
      {
        title: "The error rate is back under 5 %",
        do: "Re-run the error-rate query 15 minutes after the fix.",
        how: [ERROR_RATE_SQL],
        expect: "Under 5 % and falling; the error_rate alert resolves.",
        ifNot: "Still above 10 % after 30 minutes: roll back (runbook d8-rollback-phase).",
      },
      auditCheck,
    ],
    rollback: [
      {
        title: "Undo the pauses you made",
        do: "Resume every workspace you paused and the global mode, once the cause is fixed (Controls, “Resume workspace” / “Resume ingestion”).",
        how: [page("/controls", "Resume ingestion")],
        expect: "Controls shows RUNNING and no paused workspace you paused.",
      },
    ],
  },
  {
    slug: "d8-circuit-breaker",
    title: "Circuit breaker open",
    kind: "failure",
    sources: ["D8 §3.4", "D8 §5.4"],
    owner: "oncall",
    summary: "A breaker (worker.parse, worker.promote, worker.cleanup, file-store, webhook) opened after repeated failures of its dependency.",
    detection: [
      {
        title: "Identify the breaker",
        do: "Open the Breakers page; note the breaker, its failure count, last error, opened-at and next probe.",
        how: [page("/breakers"), sql(`SELECT name, state, failure_count, last_error, opened_at, next_attempt_at FROM circuit_breakers WHERE state <> 'CLOSED';`)],
        expect: "One or more breakers OPEN or HALF_OPEN with a last error.",
      },
      acknowledge,
    ],
    diagnosis: [
      {
        title: "Read the breaker's history",
        do: "List every state change of the breakers in the last hour and note when it first opened and how often it re-opened.",
        how: [sql(`SELECT at, breaker, from_state, to_state, failure_count, reason FROM circuit_breaker_events WHERE at > now() - interval '1 hour' ORDER BY at;`)],
        expect: "When it opened and whether it is flapping (OPEN → HALF_OPEN → OPEN).",
      },
      {
        title: "Check the dependency",
        do: "Database breakers: check /ready and the connection pool. file-store: check that the storage folder/bucket is reachable. webhook: check the notification endpoint.",
        how: [sh(`curl -s "$BASE_URL/ready"`), jq(`jq -c 'select(.event == "breaker.transition" or .event == "worker.failed") | {time, event, breaker, worker, error, dbError}' ingestion.log | tail -30`)],
        expect: "The failing dependency and its error message.",
      },
    ],
    recovery: [
      {
        title: "Let the breaker probe",
        do: "Do not force anything: when the dependency is back, the next probe (HALF_OPEN) succeeds and the breaker closes by itself (D8 §5.4 “wait for HALF-OPEN”).",
        how: [page("/breakers")],
        expect: "The breaker goes HALF_OPEN then CLOSED after the dependency recovers.",
        ifNot: "Still OPEN after 15 minutes with the dependency down: pause ingestion (next step) and escalate to the SRE Lead.",
      },
      pauseStep("circuit breaker open: dependency down"),
    ],
    verification: [
      {
        title: "All breakers CLOSED and uploads flow",
        do: "Check the Breakers page and the error-rate query.",
        how: [page("/breakers"), ERROR_RATE_SQL],
        expect: "Every breaker CLOSED; new uploads complete; the breaker_open alert resolves.",
      },
      auditCheck,
    ],
    rollback: [resumeStep],
  },
  {
    slug: "d10-01-metric-delta",
    title: "Spend moved more than ±30 % day over day",
    kind: "failure",
    sources: ["D10-01"],
    owner: "ingestion_owner",
    summary: "Silent metric corruption: values ingested successfully but shifted or duplicated. Freeze promotion, identify the upload, compare staging with production.",
    hardStop: "If corruption is confirmed and spreading: halt all ingestion (INGESTION_ENABLED=false or “Halt ingestion”).",
    detection: [
      {
        title: "Read the delta",
        do: "The spend_delta alert names workspace, platform, days and the uploads that wrote them. Confirm in the log.",
        how: [page("/alerts"), jq(`jq -c 'select(.event == "ingestion.metric_delta") | {time, uploadId, deltas}' ingestion.log | tail -20`)],
        expect: "The day(s), previous and current spend, and the upload IDs.",
      },
      acknowledge,
    ],
    diagnosis: [
      {
        title: "Freeze the promote worker",
        do: "On Controls press “Freeze promote worker”; Reason: “D10-01 metric delta on <WORKSPACE>”; Incident ID. Parsing continues; nothing more reaches production.",
        how: [page("/controls", "Freeze promote worker")],
        expect: "Controls shows promote FROZEN.",
      },
      {
        title: "Identify the upload that wrote the days (lineage)",
        do: "List production rows of the affected day with the upload that last wrote each.",
        how: [
          sql(`SELECT m.date, m.campaign_id, m.spend, m.impressions, m.upload_id, u.file_name, u.completed_at
  FROM metrics m JOIN uploads u ON u.id = m.upload_id JOIN workspaces w ON w.id = m.workspace_id
 WHERE w.slug = '<WORKSPACE>' AND m.platform = '<PLATFORM>' AND m.date IN ('<DAY>', '<DAY>'::date - 1)
 ORDER BY m.date, m.campaign_id;`),
        ],
        expect: "The upload ID(s) behind the jump.",
      },
      {
        title: "Compare staging with production for that upload",
        do: "If its staging rows are still held, compare totals; then compare with the source platform's export the client sees.",
        how: [
          sql(`SELECT (SELECT sum(spend) FROM staging_rows WHERE upload_id = '<UPLOAD_ID>') AS staged_spend,
       (SELECT sum(spend) FROM metrics WHERE upload_id = '<UPLOAD_ID>') AS promoted_spend,
       (SELECT promoted_rows FROM uploads WHERE id = '<UPLOAD_ID>') AS promoted_rows;`),
          page("/uploads/<UPLOAD_ID>"),
        ],
        expect: "Either the numbers match the source (a real business change: not corruption) or they do not (corruption).",
        ifNot: "Cannot tell: keep promotion frozen and escalate to the Ingestion Owner with both totals.",
      },
    ],
    recovery: [
      {
        title: "Genuine change: unfreeze",
        do: "If the source confirms the numbers, record it in this step's note and press “Unfreeze promote worker” with the reason.",
        how: [page("/controls", "Unfreeze promote worker")],
        expect: "promote running again; the alert is marked expected on the Alerts page.",
      },
      {
        title: "Corruption: stop and fix under review",
        do: "If corrupted, keep promotion frozen, halt if other workspaces are affected (“Halt ingestion”), and follow the emergency data fix review (runbook d8-emergency-data-fix): the client re-sends a correct file, which overwrites the rows through promotion.",
        how: [page("/controls", "Halt ingestion"), page("/runbooks/d8-emergency-data-fix")],
        expect: "No further writes to the affected rows until the reviewed fix.",
      },
    ],
    verification: [
      {
        title: "Production matches the source",
        do: "Re-run the lineage query for the affected days after the corrected upload completed.",
        expect: "Spend per day matches the client's source export; the spend_delta alert resolves or is marked expected.",
      },
      auditCheck,
    ],
    rollback: [
      {
        title: "Unfreeze and resume",
        do: "Unfreeze the promote worker and lift any halt you set (Controls), with the incident ID.",
        how: [page("/controls", "Unfreeze promote worker")],
        expect: "Controls shows RUNNING and promote running.",
      },
    ],
  },
  {
    slug: "d10-02-partial-promotion",
    title: "Partial promotion: tell the client what was not loaded",
    kind: "failure",
    sources: ["D10-02"],
    owner: "support_lead",
    summary: "promoted_rows < parsed rows: the upload is partial. Its staging rows are kept and automatic re-runs are blocked; the Support Lead tells the client.",
    hardStop: "Do NOT auto-retry promotion of a partial upload.",
    detection: [
      {
        title: "Confirm the partial upload",
        do: "Open the partial_promotion alert and the upload page.",
        how: [page("/alerts"), page("/uploads/<UPLOAD_ID>"), sql(`SELECT id, status, total_rows, valid_rows, invalid_rows, ignored_rows, promoted_rows, staged_rows, rerun_blocked FROM uploads WHERE id = '<UPLOAD_ID>';`)],
        expect: "status partial, promoted_rows < valid_rows + invalid_rows, rerun_blocked true.",
        ifNot: "rerun_blocked false on a partial upload is a bug: escalate to the Ingestion Owner.",
      },
    ],
    diagnosis: [
      {
        title: "List what was not loaded",
        do: "On the upload page read “Invalid records by rule” (rule, count, sample lines); list the affected campaigns.",
        how: [
          page("/uploads/<UPLOAD_ID>"),
          sql(`SELECT rule, count(*) AS records, min(line_no) AS first_line FROM row_issues WHERE upload_id = '<UPLOAD_ID>' AND kind = 'invalid' GROUP BY rule ORDER BY count(*) DESC;`),
        ],
        expect: "Every invalid record with the rule it failed.",
      },
    ],
    recovery: [
      {
        title: "Tell the client and acknowledge",
        do: "Send the client the rules and sample lines that failed and ask for a corrected file; then acknowledge the partial promotion on the Alerts page with a note naming the ticket.",
        how: [page("/alerts", "Acknowledge")],
        expect: "The partial is acknowledged by the Support Lead with the ticket in the note.",
      },
    ],
    verification: [
      {
        title: "The corrected file completed",
        do: "When the client re-sends, check the new upload.",
        how: [page("/uploads?status=completed")],
        expect: "A new upload of that workspace and platform completed with 0 invalid rows for those campaigns.",
      },
    ],
    rollback: [
      {
        title: "Nothing to roll back",
        do: "The partial upload's promoted rows are correct; its staging rows are kept until a reviewed cleanup (runbook d8-staging-cleanup).",
        expect: "No change.",
      },
    ],
  },
  {
    slug: "d10-03-skipped-rows",
    title: "Row ledger does not add up (data loss)",
    kind: "failure",
    sources: ["D10-03"],
    owner: "ingestion_owner",
    summary: "total ≠ valid + invalid + ignored, or processed < total without errors: a worker looked healthy but skipped rows. Treat as a DATA LOSS incident.",
    hardStop: "No further uploads accepted until resolved: pause (drain) ingestion.",
    detection: [
      {
        title: "Confirm the mismatch",
        do: "Find DATA_LOSS failures and the ledger of the named upload.",
        how: [
          jq(`jq -c 'select(.event == "ingestion.data_loss") | {time, uploadId, problems}' ingestion.log`),
          sql(`SELECT id, status, total_rows, valid_rows, invalid_rows, ignored_rows, total_rows - (valid_rows + invalid_rows + ignored_rows) AS unaccounted, error_code FROM uploads WHERE id = '<UPLOAD_ID>';`),
        ],
        expect: "unaccounted ≠ 0 or error_code DATA_LOSS.",
      },
      acknowledge,
    ],
    diagnosis: [
      pauseStep("D10-03 data loss: ledger mismatch"),
      {
        title: "Audit the rows of the file",
        do: "On the upload page compare the Row ledger line with the file: count the file's lines and compare with total; read the ignored and invalid groups for lines that should have been valid.",
        how: [page("/uploads/<UPLOAD_ID>"), sql(`SELECT kind, rule, count(*) FROM row_issues WHERE upload_id = '<UPLOAD_ID>' GROUP BY 1, 2 ORDER BY 3 DESC;`)],
        expect: "Which lines are missing from every bucket.",
      },
      {
        title: "Check other uploads of the same parser version",
        do: "List every upload whose ledger does not balance.",
        how: [sql(`SELECT id, created_at, status, total_rows, valid_rows + invalid_rows + ignored_rows AS counted FROM uploads WHERE status <> 'pending' AND total_rows <> valid_rows + invalid_rows + ignored_rows AND status IN ('completed', 'partial') ORDER BY created_at DESC LIMIT 50;`)],
        expect: "0 rows (only the failed upload is affected), or the list of affected uploads.",
        ifNot: "Completed uploads that do not balance: escalate to the Ingestion Owner at once (P1).",
      },
    ],
    recovery: [
      {
        title: "Fail the affected uploads and get the files re-sent",
        do: "Uploads already failed with DATA_LOSS stay failed. Force-fail any affected upload still in flight (upload page, “Force-fail”). The client re-sends the files after the parser fix is deployed.",
        how: [page("/uploads/<UPLOAD_ID>", "Force-fail")],
        expect: "Every affected upload is failed with a reason naming the incident.",
      },
    ],
    verification: [
      {
        title: "A test file balances",
        do: "After the fix, upload a known file to an allowlisted test workspace and check its ledger.",
        how: [sh(`curl -s -H "Authorization: Bearer <API_KEY>" -F workspace_id=<TEST_WORKSPACE> -F platform=meta -F file=@lib/ingestion/parse/fixtures/meta.csv "$BASE_URL/api/v1/uploads"`)],
        expect: "The upload page shows “total N = valid + invalid + ignored ✓”.",
      },
      auditCheck,
    ],
    rollback: [resumeStep],
  },
  {
    slug: "d10-04-alert-misfire",
    title: "Alerts stayed silent during an abnormal period",
    kind: "failure",
    sources: ["D10-04"],
    owner: "pm",
    summary: "Alert rules failed to fire (false negatives). Non-blocking: acknowledge as an ACCEPTED UNKNOWN, document the impact, no runtime change.",
    hardStop: "None (non-blocking by D6.5).",
    detection: [
      {
        title: "Find the silent period",
        do: "Compare alerts opened with what the data shows for the period (failed uploads, freshness).",
        how: [
          sql(`SELECT date_trunc('hour', created_at) AS hour, count(*) FILTER (WHERE status = 'failed') AS failed, count(*) AS uploads FROM uploads WHERE created_at BETWEEN '<FROM>' AND '<TO>' GROUP BY 1 ORDER BY 1;`),
          sql(`SELECT signal, opened_at, severity, title FROM alerts WHERE opened_at BETWEEN '<FROM>' AND '<TO>' ORDER BY opened_at;`),
        ],
        expect: "Hours that were abnormal with no alert opened.",
      },
    ],
    diagnosis: [
      {
        title: "Check that the monitor ran",
        do: "The monitor writes a readiness sample every minute; gaps mean it did not run.",
        how: [sql(`SELECT date_trunc('hour', minute) AS hour, count(*) AS samples FROM readiness_samples WHERE minute BETWEEN '<FROM>' AND '<TO>' GROUP BY 1 ORDER BY 1;`)],
        expect: "60 samples per hour. Fewer: the monitor was down — escalate to the SRE Lead.",
      },
    ],
    recovery: [
      {
        title: "Record it as ACCEPTED UNKNOWN",
        do: "Gather the period on the Incidents page and write the impact in the postmortem; no runtime change (D10-04).",
        how: [page("/incidents")],
        expect: "A postmortem draft that names the silent period and its impact.",
      },
    ],
    verification: [
      {
        title: "The PM is aware",
        do: "The Product Manager reads the postmortem and notes it in the next GA review.",
        expect: "The postmortem is exported (Markdown) and linked in #ingestion-rollout.",
      },
    ],
    rollback: [{ title: "Nothing to roll back", do: "No runtime change was made by this runbook, so there is nothing to undo; record this step as skipped.", expect: "No change." }],
  },
  {
    slug: "d10-05-kill-switch-abuse",
    title: "Kill-switch change without an incident ID",
    kind: "failure",
    sources: ["D10-05"],
    owner: "sre_lead",
    summary: "Someone toggled (or tried to toggle) the kill switch without incident justification. Roll the change back and suspend their kill-switch privileges.",
    hardStop: "Suspend the person's kill-switch privileges temporarily.",
    detection: [
      {
        title: "Find the unaccountable changes",
        do: "Open the Audit page filtered on refused outcomes; list control changes without incident IDs.",
        how: [
          page("/audit?outcome=refused"),
          sql(`SELECT at, actor_email, action, target_id, reason, incident_id, outcome, refused_reason FROM audit_log WHERE action LIKE 'controls.%' AND (incident_id IS NULL OR btrim(incident_id) = '') AND at > now() - interval '24 hours' ORDER BY at DESC;`),
        ],
        expect: "Who, when, which control, and whether it was refused (no effect) or applied.",
      },
    ],
    diagnosis: [
      {
        title: "Ask the person why",
        do: "Contact the actor and write their explanation in this step's note.",
        expect: "A mistake, or an emergency that should have had an incident ID.",
      },
    ],
    recovery: [
      {
        title: "Roll the change back",
        do: "If a change applied, restore the previous state on Controls (the Audit entry's before → after tells you what it was), with this incident ID.",
        how: [page("/controls")],
        expect: "Controls shows the state before the unaccountable change.",
      },
      {
        title: "Suspend their kill-switch privileges",
        do: "On Controls, Kill-switch privileges: “Suspend privileges of <email>”; Reason; Incident ID.",
        how: [page("/controls", "Suspend privileges of <email>")],
        expect: "The user's controls buttons are disabled with “your kill-switch privileges are suspended”.",
      },
    ],
    verification: [auditCheck],
    rollback: [
      {
        title: "Restore privileges when cleared",
        do: "After review with the SRE Lead: “Restore privileges of <email>” with the reason.",
        how: [page("/controls", "Restore privileges of <email>")],
        expect: "The user's privileges are active again; audited.",
      },
    ],
  },
  {
    slug: "d10-06-missed-alert",
    title: "Alert unacknowledged: escalation and automatic drain",
    kind: "failure",
    sources: ["D10-06"],
    owner: "ingestion_owner",
    summary: "An alert stayed unacknowledged for more than 15 minutes. Escalate to the secondary, notify the PM; ingestion drains itself if the error rate keeps rising.",
    hardStop: "Auto-pause ingestion if the error rate is rising (the monitor drains by itself, audited as system).",
    detection: [
      {
        title: "See what escalated",
        do: "Open the Alerts page and the log of escalations.",
        how: [page("/alerts"), jq(`jq -c 'select(.event == "alert.escalated" or .event == "controls.auto_drain") | {time, event, alertId, signal, reason}' ingestion.log | tail -20`)],
        expect: "The escalated alert(s) and whether an automatic drain happened.",
      },
    ],
    diagnosis: [
      {
        title: "Find out why nobody answered",
        do: "Check who was primary on-call and whether the notification was delivered (alert.notify_failed lines).",
        how: [jq(`jq -c 'select(.event == "alert.notify_failed") | {time, alertId, error}' ingestion.log | tail -20`)],
        expect: "The cause: notification failure, or the primary unavailable.",
      },
    ],
    recovery: [
      acknowledge,
      {
        title: "Follow the alert's own runbook",
        do: "Open the escalated alert's runbook (its link on the Alerts page) and start an execution for it with the same incident ID.",
        how: [page("/runbooks")],
        expect: "An open execution of the alert's runbook.",
      },
      announce("“<alert> was unacknowledged for <N> min; secondary on-call <name> has it; PM notified.”"),
    ],
    verification: [
      {
        title: "No unacknowledged page remains",
        do: "On the Alerts page, and with the query, check that no page-severity alert is still open and unacknowledged.",
        how: [sql(`SELECT id, title, opened_at FROM alerts WHERE status = 'open' AND severity IN ('page', 'critical') ORDER BY opened_at;`)],
        expect: "0 rows.",
      },
    ],
    rollback: [
      {
        title: "Lift an automatic drain",
        do: "If the system drained ingestion, resume it once the cause is handled (Controls, “Resume ingestion”).",
        how: [page("/controls", "Resume ingestion")],
        expect: "Controls shows RUNNING.",
      },
    ],
  },
  {
    slug: "d10-07-upload-spike",
    title: "Upload spike: queue over the concurrency limit or slow parsing",
    kind: "failure",
    sources: ["D10-07"],
    owner: "oncall",
    summary: "Many clients upload at once: queue depth over the limit or parse latency over 5 minutes. Throttle new uploads, let in-flight finish.",
    hardStop: "Reject new uploads with retry guidance (intake answers 429/503 with Retry-After).",
    detection: [
      {
        title: "Measure the queue",
        do: "Count uploads waiting for or in parsing, and the oldest.",
        how: [sql(`SELECT status, count(*), min(created_at) AS oldest FROM uploads WHERE status IN ('pending', 'processing') GROUP BY status;`)],
        expect: "Depth over INGESTION_CONCURRENCY_LIMIT (default 50) or the oldest pending older than 5 minutes.",
      },
      acknowledge,
    ],
    diagnosis: [
      {
        title: "Who is uploading",
        do: "Group the uploads waiting for or in parsing by workspace, to see whether one client floods the queue.",
        how: [sql(`SELECT w.slug, count(*) FROM uploads u JOIN workspaces w ON w.id = u.workspace_id WHERE u.status IN ('pending', 'processing') GROUP BY 1 ORDER BY 2 DESC;`)],
        expect: "One workspace flooding, or a general spike.",
      },
      {
        title: "Check the parse worker's throughput",
        do: "Look at the parse worker's runs of the last 15 minutes: items processed, backlog seen and outcome.",
        how: [WORKER_RUNS_SQL],
        expect: "Runs with items > 0 and no failures: it is keeping up slowly, not stuck.",
        ifNot: "Runs with 0 items while uploads wait: follow runbook wt-06-worker-anomaly.",
      },
    ],
    recovery: [
      {
        title: "Throttle the flooding workspace",
        do: "If one workspace floods, pause it on Controls (“Pause workspace”, with “Resume automatically at” one hour later). Intake already answers 429 above the concurrency limit.",
        how: [page("/controls", "Pause workspace")],
        expect: "Its new uploads wait; others flow.",
      },
      pauseStep("D10-07 upload spike: let in-flight uploads finish"),
    ],
    verification: [
      {
        title: "The queue drains",
        do: "Re-run the queue query (detection step 1.1) every 5 minutes until it is under the limit.",
        expect: "Depth under the limit and the oldest pending younger than 5 minutes; the queue_pressure alert resolves.",
      },
    ],
    rollback: [resumeStep],
  },
  {
    slug: "d10-08-staging-bloat",
    title: "Staging backlog too large or too old",
    kind: "failure",
    sources: ["D10-08", "D8 §3.2"],
    owner: "sre_lead",
    summary: "Staging holds more than 500 000 rows or rows older than 7 days, because partial or failed uploads keep theirs. Pause, then clean up with the reviewed D8 procedure.",
    hardStop: "No automatic deletes without review: every cleanup is requested by one person and approved by another.",
    detection: [
      {
        title: "Measure the backlog",
        do: "Read the Staging backlog tile and the per-upload list on the Staging page.",
        how: [page("/staging"), sql(`SELECT sum(staged_rows) AS rows, min(created_at) FILTER (WHERE staged_rows > 0) AS oldest FROM uploads;`)],
        expect: "Rows over 10 000 (warn), over 500 000 or older than 7 days (critical).",
      },
      acknowledge,
    ],
    diagnosis: [
      {
        title: "Which uploads hold the rows",
        do: "List uploads holding staging rows by status and age.",
        how: [sql(`SELECT id, status, staged_rows, created_at, completed_at FROM uploads WHERE staged_rows > 0 ORDER BY staged_rows DESC LIMIT 50;`)],
        expect: "Mostly partial/failed uploads (kept on purpose) or completed ones the cleanup worker did not reach.",
      },
      {
        title: "Is the cleanup worker running",
        do: "Read the cleanup worker's last runs, and on Controls check that the cleanup worker is not frozen.",
        how: [sql(`SELECT started_at, items, outcome, summary FROM worker_runs WHERE worker = 'cleanup' ORDER BY started_at DESC LIMIT 10;`), page("/controls")],
        expect: "Recent runs, cleanup not frozen.",
        ifNot: "No runs: trigger one (`curl -X POST -H \"Authorization: Bearer $CRON_SECRET\" \"$BASE_URL/api/cron/cleanup\"`) and escalate.",
      },
    ],
    recovery: [
      pauseStep("D10-08 staging bloat"),
      {
        title: "Clean up with review",
        do: "Follow runbook d8-staging-cleanup for the uploads whose staging rows are no longer needed (partials only after the Support Lead closed them).",
        how: [page("/runbooks/d8-staging-cleanup")],
        expect: "An approved cleanup request, done.",
      },
    ],
    verification: [
      {
        title: "Backlog under the thresholds",
        do: "Re-run the backlog query of detection step 1.1 and read the Staging backlog tile on the Overview.",
        expect: "Rows under 500 000 and nothing older than 7 days; the staging_backlog alert resolves.",
      },
      auditCheck,
    ],
    rollback: [resumeStep],
  },
  {
    slug: "d10-09-kill-switch-not-applied",
    title: "Workers kept transitioning after a halt or freeze",
    kind: "failure",
    sources: ["D10-09"],
    owner: "sre_lead",
    summary: "The kill switch was set but state transitions continued. Incident P1: stop the workers by hand and hold them at the database.",
    hardStop: "Incident P1, all ingestion halted.",
    detection: [
      {
        title: "Confirm transitions after the halt",
        do: "Read when the halt was set, then list the worker transitions recorded after that moment.",
        how: [
          CONTROLS_SQL,
          sql(`SELECT e.created_at, e.upload_id, e.from_status, e.to_status, e.actor FROM upload_events e
 WHERE e.actor LIKE 'worker:%' AND e.created_at > (SELECT set_at FROM ingestion_controls WHERE key = 'mode') ORDER BY e.created_at;`),
          jq(`jq -c 'select(.event == "state_change" and (.actor | startswith("worker:"))) | {time, uploadId, from, to, actor}' ingestion.log | tail -30`),
        ],
        expect: "Worker transitions after the halt's set_at (beyond a few seconds of grace).",
      },
    ],
    diagnosis: [
      {
        title: "Which instance keeps working",
        do: "The actor names the worker instance (worker:<kind>:<instance>). Check that instance's environment and version.",
        expect: "The instance(s) that ignore the controls.",
      },
    ],
    recovery: [
      {
        title: "Set the environment kill switch",
        do: "Set INGESTION_ENABLED=false on every instance and restart them: this forces a halt that nothing in the database can lift.",
        how: [sh(`export INGESTION_ENABLED=false   # in each instance's environment, then restart it`)],
        expect: "Controls shows “INGESTION_ENABLED=false in the server environment forces a halt”.",
      },
      {
        title: "Stop the rogue workers",
        do: "Stop the instances that kept transitioning (manual worker shutdown). Declare a P1 in #ingestion-rollout.",
        expect: "No new worker transitions in upload_events.",
      },
    ],
    verification: [
      {
        title: "No transitions for 10 minutes",
        do: "Re-run the transitions query 10 minutes later.",
        expect: "No worker transition after the halt; the halt_violation alert resolves.",
      },
      auditCheck,
    ],
    rollback: [
      {
        title: "Restart with ingestion enabled",
        do: "After the fix is deployed: set INGESTION_ENABLED=true, restart, then “Resume ingestion” on Controls.",
        how: [page("/controls", "Resume ingestion")],
        expect: "Workers run and honour a test freeze (freeze parse, check no transition, unfreeze).",
      },
    ],
  },
  {
    slug: "wt-06-freshness",
    title: "Production data older than the expected report lag",
    kind: "failure",
    sources: ["WT-06"],
    owner: "oncall",
    summary: "Pipeline green is not data fresh: the newest metric date of a workspace × platform is older than its expected lag. Investigate the data, not the exit codes.",
    detection: [
      {
        title: "Confirm staleness on the data itself",
        do: "Read the freshness table on the Overview; confirm with the newest date per workspace × platform.",
        how: [
          page("/", "Data freshness"),
          sql(`SELECT w.slug, m.platform, max(m.date) AS newest, current_date - max(m.date) AS lag_days, w.expected_lag_days
  FROM metrics m JOIN workspaces w ON w.id = m.workspace_id GROUP BY w.slug, m.platform, w.expected_lag_days ORDER BY lag_days DESC;`),
        ],
        expect: "The stale feed(s) with their lag and expected lag.",
      },
      acknowledge,
    ],
    diagnosis: [
      {
        title: "Step 1 — did files arrive",
        do: "List the last 10 uploads of the stale workspace and platform, newest first.",
        how: [sql(`SELECT u.id, u.status, u.created_at, u.completed_at, u.error_code FROM uploads u JOIN workspaces w ON w.id = u.workspace_id WHERE w.slug = '<WORKSPACE>' AND u.platform = '<PLATFORM>' ORDER BY u.created_at DESC LIMIT 10;`)],
        expect: "Recent uploads exist.",
        ifNot: "No upload since the last fresh day: the client stopped sending (the platform export or their scheduler) — go to recovery “Client side”.",
      },
      {
        title: "Step 2 — did they complete",
        do: "Read the status and error code of those uploads in the same query's output.",
        expect: "completed.",
        ifNot: "failed / partial / stuck: follow that runbook (error rate, partial, stuck upload).",
      },
      {
        title: "Step 3 — did they contain the newer days",
        do: "Check the newest day each recent upload wrote (lineage).",
        how: [sql(`SELECT upload_id, min(date), max(date), count(*) FROM metrics WHERE upload_id IN ('<UPLOAD_ID>') GROUP BY upload_id;`)],
        expect: "The newest upload wrote days up to yesterday.",
        ifNot: "It completed but only re-sent old days: the client's export range is wrong (a phantom success) — recovery “Client side”.",
      },
      {
        title: "Step 4 — are the workers really working",
        do: "Look for fast or empty runs while uploads wait (WT-06 duration anomaly).",
        how: [WORKER_RUNS_SQL, jq(`jq -c 'select(.event == "ingestion.completed") | {time, uploadId, duration_ms, promoted}' ingestion.log | tail -20`)],
        expect: "Runs with items > 0 and durations near their average.",
        ifNot: "Zero-work runs while work waits: follow runbook wt-06-worker-anomaly.",
      },
    ],
    recovery: [
      {
        title: "Client side: ask for the missing days",
        do: "Ask the client (through the Support Lead) to export and upload the missing date range for <PLATFORM>.",
        expect: "A new upload covering the missing days.",
      },
      {
        title: "Pipeline side: fix the blocked step",
        do: "Resolve the blocking runbook found in diagnosis (stuck upload, breaker, worker anomaly).",
        expect: "The waiting uploads complete.",
      },
    ],
    verification: [
      {
        title: "The newest date is within the lag",
        do: "Re-run the freshness query of detection step 1.1 for the stale workspace and platform.",
        expect: "lag_days ≤ expected lag; the freshness alert resolves at the next monitor run.",
      },
    ],
    rollback: [{ title: "Nothing to roll back", do: "The investigation changes nothing by itself, so there is nothing to undo; record this step as skipped.", expect: "No change." }],
  },
  {
    slug: "wt-06-worker-anomaly",
    title: "Worker run unusually fast, or idle while work waits",
    kind: "failure",
    sources: ["WT-06"],
    owner: "oncall",
    summary: "A worker exited “ok” in under half its usual time, or did nothing while claimable work waited: a silent skip.",
    detection: [
      {
        title: "Read the anomalous runs",
        do: "Compare the latest runs with the rolling average.",
        how: [
          sql(`SELECT worker, started_at, duration_ms, items, backlog, outcome,
       avg(duration_ms) OVER (PARTITION BY worker ORDER BY started_at ROWS BETWEEN 20 PRECEDING AND 1 PRECEDING) AS rolling_avg_ms
  FROM worker_runs WHERE worker IN ('parse', 'promote') AND started_at > now() - interval '1 hour' ORDER BY started_at DESC LIMIT 30;`),
        ],
        expect: "Runs with items = 0 and backlog > 0, or duration < 0.5 × rolling average.",
      },
      acknowledge,
    ],
    diagnosis: [
      {
        title: "Is the waiting work claimable",
        do: "Held work is not an anomaly: check controls, paused workspaces and blocked re-runs.",
        how: [CONTROLS_SQL, sql(`SELECT u.status, w.paused, u.rerun_blocked, count(*) FROM uploads u JOIN workspaces w ON w.id = u.workspace_id WHERE u.status IN ('pending', 'processing', 'staged', 'promoting') GROUP BY 1, 2, 3;`)],
        expect: "Claimable uploads exist (not paused, not blocked, worker not frozen).",
        ifNot: "Everything waiting is held by a control: close this execution as aborted (expected).",
      },
      {
        title: "Why the worker skips it",
        do: "Read the worker's failures in the log and the summaries of its last 5 runs.",
        how: [WORKER_FAILED_JQ, sql(`SELECT started_at, items, backlog, summary FROM worker_runs WHERE worker = '<WORKER>' ORDER BY started_at DESC LIMIT 5;`)],
        expect: "An error or a summary that explains the skip (e.g. leases held by a dead instance).",
      },
    ],
    recovery: [
      {
        title: "Trigger a run and escalate",
        do: "Trigger one run by hand; if it also does nothing, escalate to the Ingestion Owner with the queries' output.",
        how: [sh(`curl -s -X POST -H "Authorization: Bearer $CRON_SECRET" "$BASE_URL/api/cron/<WORKER>"`)],
        expect: "The JSON summary shows items > 0.",
      },
    ],
    verification: [
      {
        title: "Runs do work again",
        do: "Re-run the runs query of detection step 1.1 after the manual run.",
        expect: "items > 0 while work waits; the worker_anomaly alert resolves.",
      },
    ],
    rollback: [{ title: "Nothing to roll back", do: "A manual worker run is idempotent, so there is nothing to undo; record this step as skipped.", expect: "No change." }],
  },

  // ---- D8 procedures ----------------------------------------------------------------------------
  {
    slug: "d8-pause",
    title: "Pause ingestion (drain)",
    kind: "procedure",
    sources: ["D8 §4.1"],
    owner: "oncall",
    summary: "Reversible: reject new uploads with 503 + Retry-After, let in-flight uploads finish. When: error rate > 10 %, an unknown issue, or time to investigate.",
    detection: [
      {
        title: "Confirm the trigger",
        do: "Write in the note which trigger applies: error rate > 10 % (Overview tile), an unknown issue, or investigation time needed.",
        how: [page("/")],
        expect: "A trigger named in the note.",
      },
    ],
    diagnosis: [
      {
        title: "Read the current controls",
        do: "Open Controls: mode, freezes, workspace pauses and who set them.",
        how: [page("/controls"), CONTROLS_SQL],
        expect: "Ingestion RUNNING (otherwise it is already paused or halted: close as aborted).",
      },
    ],
    recovery: [
      pauseStep("<brief reason>"),
      announce("“⚠️ INGESTION PAUSED — Time: <UTC> — Reason: <reason> — Investigating: <name> — Incident: <INCIDENT_ID>”."),
    ],
    verification: [
      {
        title: "New uploads are refused, in-flight ones finish",
        do: "Check the in-flight uploads and that a new upload gets 503.",
        how: [sql(`SELECT id, status, created_at FROM uploads WHERE status IN ('pending', 'processing', 'staged', 'promoting') ORDER BY created_at;`)],
        expect: "The list shrinks to 0 as they finish; a new POST /api/v1/uploads answers 503 with Retry-After.",
      },
      auditCheck,
    ],
    rollback: [resumeStep],
  },
  {
    slug: "d8-resume",
    title: "Resume ingestion",
    kind: "procedure",
    sources: ["D8 §4.1"],
    owner: "oncall",
    summary: "After the issue is resolved: lift the drain (or, with the halt privilege, the halt) and announce it.",
    detection: [
      {
        title: "Confirm the issue is resolved",
        do: "Write in the note what was fixed and link the incident's runbook executions.",
        how: [page("/runbooks/executions?incident=<INCIDENT_ID>")],
        expect: "The cause is fixed and verified.",
      },
    ],
    diagnosis: [
      {
        title: "Read who paused and why",
        do: "On Controls read the mode's set-by, reason and incident ID; confirm the person who paused agrees.",
        how: [page("/controls"), CONTROLS_SQL],
        expect: "Mode DRAINING or HALTED with this incident ID.",
        ifNot: "INGESTION_ENABLED=false is shown: the environment forces the halt — change the environment and restart; the console cannot lift it.",
      },
    ],
    recovery: [resumeStep, announce("“✅ INGESTION RESUMED — Time: <UTC> — Resolution: <what was fixed> — Incident: <INCIDENT_ID>”.")],
    verification: [
      {
        title: "Uploads flow",
        do: "Watch new uploads complete and the error rate stay low for 15 minutes.",
        how: [ERROR_RATE_SQL, page("/uploads")],
        expect: "New uploads complete; error rate under 5 %.",
        ifNot: "Errors return: pause again (runbook d8-pause).",
      },
      auditCheck,
    ],
    rollback: [
      {
        title: "Pause again",
        do: "If errors return, pause again with runbook d8-pause.",
        how: [page("/controls", "Pause ingestion")],
        expect: "Controls shows DRAINING.",
      },
    ],
  },
  {
    slug: "d8-rollback-phase",
    title: "Roll back to the previous rollout phase",
    kind: "procedure",
    sources: ["D8 §4.2", "D8 §2"],
    owner: "ingestion_owner",
    summary:
      "Phase regression of the ingestion_v2_enabled flag (P4 → P3 … → P0 internal allowlist). When: error rate > 20 %, a data-integrity issue, repeated circuit-breaker events. Set on Controls by the Ingestion Owner or Engineering Lead.",
    detection: [
      {
        title: "Confirm the trigger",
        do: "Write the trigger in the note: error rate > 20 % (Overview), data integrity issue (D10-01/03), or repeated breaker events (Breakers).",
        how: [page("/"), page("/breakers")],
        expect: "A trigger named in the note.",
      },
    ],
    diagnosis: [
      {
        title: "Read the current phase and allowlist",
        do: "On Controls, Rollout: note the phase and the allowlist (they go in the announcement).",
        how: [page("/controls"), sql(`SELECT value, version, set_by, set_at, reason, incident_id FROM ingestion_controls WHERE key = 'rollout';`)],
        expect: "The current phase P<X> and its allowlist.",
      },
    ],
    recovery: [
      {
        title: "Halt ingestion",
        do: "On Controls press “Halt ingestion”; Reason: “D8 §4.2 rollback from P<X>”; Incident ID (D8 step 1: kill switch).",
        how: [page("/controls", "Halt ingestion")],
        expect: "Controls shows HALTED.",
        ifNot: "On-call without the halt privilege: tick “This is a declared P1 incident”, or pause instead and call the Ingestion Owner.",
      },
      {
        title: "Set the previous phase",
        do: "On Controls, Rollout: choose Phase P<X−1> (or P0 with the internal allowlist only), adjust “Allowlist (workspace slugs)”, Reason: “rollback from P<X>: <trigger>”, Incident ID, then “Set rollout”. Intake refuses workspaces outside the allowlist with 403 at once.",
        how: [page("/controls", "Set rollout")],
        expect: "Rollout shows Phase P<X−1> with your name; the Audit page has controls.rollout with before → after phase.",
      },
      {
        title: "Capture state for the investigation",
        do: "Save the last hour's uploads and staging counts in the incident doc (D8 step 3).",
        how: [
          sql(`SELECT id, status, error_code, created_at FROM uploads WHERE created_at > now() - interval '1 hour' ORDER BY created_at DESC;`),
          sql(`SELECT u.status, count(*) AS uploads, sum(u.staged_rows) AS staging_rows FROM uploads u WHERE u.created_at > now() - interval '1 hour' GROUP BY 1;`),
        ],
        expect: "Both outputs pasted in the incident's postmortem (Incidents page).",
      },
      announce("“🔴 INGESTION ROLLED BACK — Time: <UTC> — From: P<X> — To: P<X−1> — Reason: <description> — Next steps: <investigation plan>”."),
      {
        title: "Resume for the remaining phase",
        do: "Press “Resume ingestion” so that the workspaces still in the phase keep flowing (the halt privilege is needed to lift a halt).",
        how: [page("/controls", "Resume ingestion")],
        expect: "Controls shows RUNNING with the previous phase.",
      },
    ],
    verification: [
      {
        title: "Only the phase's workspaces are accepted",
        do: "An upload from a workspace outside the allowlist gets 403; one inside completes.",
        how: [sql(`SELECT w.slug, count(*) FILTER (WHERE u.created_at > now() - interval '15 minutes') AS new_uploads FROM workspaces w LEFT JOIN uploads u ON u.workspace_id = w.id GROUP BY 1;`)],
        expect: "New uploads only from allowlisted workspaces.",
      },
      auditCheck,
    ],
    rollback: [
      {
        title: "Move forward again",
        do: "After the fix, set the phase back to P<X> on Controls (“Set rollout”) with the incident ID.",
        how: [page("/controls", "Set rollout")],
        expect: "Rollout shows P<X>.",
      },
    ],
  },
  {
    slug: "d8-emergency-data-fix",
    title: "Emergency data fix review",
    kind: "procedure",
    sources: ["D8 §4.3"],
    owner: "ingestion_owner",
    summary: "Only when data corruption is confirmed. Identify and document the affected records first; nothing is deleted without explicit approval and coordination with the client.",
    hardStop: "DO NOT DELETE without explicit approval. Document affected IDs first. Coordinate with the client before any fix.",
    detection: [
      {
        title: "Confirm corruption",
        do: "Link the execution that confirmed corruption (D10-01 or D10-03) in the note.",
        how: [page("/runbooks/executions?incident=<INCIDENT_ID>")],
        expect: "Corruption confirmed by a runbook execution.",
        ifNot: "Not confirmed: stop here and close as aborted.",
      },
    ],
    diagnosis: [
      {
        title: "Identify the affected records",
        do: "List production rows written by the affected uploads between the incident's start and end.",
        how: [
          sql(`SELECT m.workspace_id, m.platform, m.date, m.campaign_id, m.spend, m.upload_id, m.updated_at
  FROM metrics m WHERE m.updated_at > '<INCIDENT_START>' AND m.updated_at < '<INCIDENT_END>' AND m.upload_id IN ('<UPLOAD_ID>')
 ORDER BY m.workspace_id, m.date, m.campaign_id;`),
        ],
        expect: "The exact rows, saved to the incident doc.",
      },
      {
        title: "Document the affected IDs",
        do: "Export the list (psql \\copy to CSV) and attach it to the incident's postmortem.",
        how: [sh(`psql "$DATABASE_URL" -c "\\copy (SELECT * FROM metrics WHERE upload_id IN ('<UPLOAD_ID>')) TO 'affected-<INCIDENT_ID>.csv' CSV HEADER"`)],
        expect: "A CSV of the affected rows attached.",
      },
    ],
    recovery: [
      {
        title: "Get explicit approval and coordinate with the client",
        do: "The Ingestion Owner approves the fix in writing (name it in the note) and the Support Lead agrees the corrected file with the client.",
        expect: "Approval and client agreement recorded.",
      },
      {
        title: "Apply the fix through the pipeline",
        do: "The client uploads the corrected file; promotion overwrites the rows (idempotent upsert keyed by workspace, platform, date, campaign) and the lineage names the new upload. No manual UPDATE or DELETE.",
        how: [page("/uploads")],
        expect: "The corrected upload completed.",
      },
    ],
    verification: [
      {
        title: "Affected rows now come from the corrected upload",
        do: "Re-run the identification query with the corrected upload's ID.",
        expect: "Every affected row has upload_id = the corrected upload and matches the client's source.",
      },
      auditCheck,
    ],
    rollback: [
      {
        title: "Restore from the documented rows",
        do: "If the fix is wrong, the client re-sends the previous file; the documented CSV is the reference.",
        expect: "Rows match the documented state.",
      },
    ],
  },
  {
    slug: "d8-staging-cleanup",
    title: "Staging cleanup (reviewed, two people)",
    kind: "procedure",
    sources: ["D8 §5.4", "D8 §7.1", "D10-08"],
    owner: "sre_lead",
    summary: "Delete staging rows of uploads that no longer need them, with a dry-run preview, requested by one person and approved by another SRE Lead or Ingestion Owner.",
    hardStop: "No automatic deletes without review; self-approval is refused.",
    detection: [
      {
        title: "Confirm the need",
        do: "Staging backlog tile over a threshold, or a request from the Support Lead that a partial upload is closed.",
        how: [page("/staging")],
        expect: "The uploads to clean are identified.",
      },
    ],
    diagnosis: [
      {
        title: "Check each upload may lose its staging rows",
        do: "Only terminal uploads: completed, failed (after diagnosis) or partial (after the Support Lead's acknowledgement).",
        how: [sql(`SELECT id, status, staged_rows, completed_at, failed_at FROM uploads WHERE id IN ('<UPLOAD_ID>');`)],
        expect: "Every upload terminal; partials acknowledged.",
        ifNot: "Drop the upload from the selection.",
      },
    ],
    recovery: [
      {
        title: "Request the cleanup with its preview",
        do: "On Staging tick “Select <file>” for each upload, read the dry-run preview (rows per upload), press “Request cleanup”, Reason, Incident ID.",
        how: [page("/staging", "Request cleanup")],
        expect: "A cleanup request in “Cleanup requests” with the preview.",
      },
      {
        title: "A second person approves",
        do: "A different SRE Lead or the Ingestion Owner opens Staging and presses “Approve cleanup” on the request, with Reason and Incident ID.",
        how: [page("/staging", "Approve cleanup")],
        expect: "The request shows “approved by <email>, N rows deleted”.",
        ifNot: "Self-approval is refused (403): ask a colleague.",
      },
    ],
    verification: [
      {
        title: "Rows are gone",
        do: "Read the staging counters of the cleaned uploads.",
        how: [sql(`SELECT id, staged_rows FROM uploads WHERE id IN ('<UPLOAD_ID>');`)],
        expect: "staged_rows = 0 for each upload; the backlog tile drops.",
      },
      auditCheck,
    ],
    rollback: [
      {
        title: "Deleted staging rows are gone",
        do: "Staging rows cannot be restored; if needed, the client re-sends the file. Production rows are untouched by a cleanup.",
        expect: "Production unaffected.",
      },
    ],
  },
];

function build(input: RunbookInput): Runbook {
  const sections = SECTIONS.map((section, s) => ({
    section,
    label: SECTION_LABEL[section],
    steps: input[section].map((step, i) => ({ ...step, id: `${s + 1}.${i + 1}`, section })),
  }));
  const { detection: _d, diagnosis: _g, recovery: _r, verification: _v, rollback: _b, ...rest } = input;
  return { ...rest, sections, steps: sections.flatMap((s) => s.steps) };
}

export const RUNBOOK_CATALOG: readonly Runbook[] = RUNBOOK_INPUTS.map(build);

export function findRunbook(slug: string): Runbook | undefined {
  return RUNBOOK_CATALOG.find((r) => r.slug === slug);
}

/** Steps that must have a result before an execution can be closed as resolved (rollback applies only when needed). */
export const requiredSteps = (runbook: Runbook) => runbook.steps.filter((s) => s.section !== "rollback");
