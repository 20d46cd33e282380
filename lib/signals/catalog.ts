import type { Role } from "@/lib/auth/permissions";

export const SEVERITIES = ["info", "warning", "page", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Severities that page a person (D8 §3.4: "page on-call"). */
export const PAGING: readonly Severity[] = ["page", "critical"];

export const SCENARIOS = ["D8", "D10-01", "D10-02", "D10-03", "D10-05", "D10-06", "D10-07", "D10-08", "D10-09", "D10-10", "WT-06"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export type Runbook = { slug: string; title: string; scenario: Scenario };

/**
 * Every runbook an alert links to (the console serves each at /runbooks/<slug>; the Prometheus rules
 * in monitoring/alerts.yml link to the same slugs).
 */
export const RUNBOOKS = [
  { slug: "d8-error-rate", title: "Upload error rate above threshold", scenario: "D8" },
  { slug: "d8-circuit-breaker", title: "Circuit breaker open", scenario: "D8" },
  { slug: "d8-stuck-upload", title: "Upload stuck in a non-terminal state", scenario: "D10-10" },
  { slug: "d10-01-metric-delta", title: "Spend moved more than ±30 % day over day", scenario: "D10-01" },
  { slug: "d10-02-partial-promotion", title: "Partial promotion: tell the client what was not loaded", scenario: "D10-02" },
  { slug: "d10-03-skipped-rows", title: "Row ledger does not add up (data loss)", scenario: "D10-03" },
  { slug: "d10-05-kill-switch-abuse", title: "Kill-switch change without an incident ID", scenario: "D10-05" },
  { slug: "d10-06-missed-alert", title: "Alert unacknowledged: escalation and automatic drain", scenario: "D10-06" },
  { slug: "d10-07-upload-spike", title: "Upload spike: queue over the concurrency limit or slow parsing", scenario: "D10-07" },
  { slug: "d10-08-staging-bloat", title: "Staging backlog too large or too old", scenario: "D10-08" },
  { slug: "d10-09-kill-switch-not-applied", title: "Workers kept transitioning after a halt or freeze", scenario: "D10-09" },
  { slug: "wt-06-freshness", title: "Production data older than the expected report lag", scenario: "WT-06" },
  { slug: "wt-06-worker-anomaly", title: "Worker run unusually fast, or idle while work waits", scenario: "WT-06" },
] as const satisfies readonly Runbook[];
export type RunbookSlug = (typeof RUNBOOKS)[number]["slug"];

export const runbookPath = (slug: string) => `/runbooks/${slug}`;

export type SignalDefinition = { title: string; scenario: Scenario; ownerRole: Role; runbook: RunbookSlug; threshold: string };

/** Each signal (docs/signals.md), the scenario it detects, who owns the response, and the runbook to follow. */
export const SIGNALS = {
  error_rate: {
    title: "Upload error rate (1 h)",
    scenario: "D8",
    ownerRole: "oncall",
    runbook: "d8-error-rate",
    threshold: "warn 5 %, page 10 %, rollback advice 20 %",
  },
  breaker_open: { title: "Circuit breaker open", scenario: "D8", ownerRole: "oncall", runbook: "d8-circuit-breaker", threshold: "any breaker not CLOSED" },
  database_unavailable: {
    title: "Database unavailable",
    scenario: "D8",
    ownerRole: "oncall",
    runbook: "d8-circuit-breaker",
    threshold: "any readiness minute not ready in the last 30 min",
  },
  stuck_upload: { title: "Upload stuck", scenario: "D10-10", ownerRole: "oncall", runbook: "d8-stuck-upload", threshold: "> 30 min in one non-terminal state" },
  staging_backlog: {
    title: "Staging backlog",
    scenario: "D10-08",
    ownerRole: "sre_lead",
    runbook: "d10-08-staging-bloat",
    threshold: "> 10 000 rows warn; > 500 000 rows or oldest > 7 days critical",
  },
  queue_pressure: {
    title: "Queue depth / parse latency",
    scenario: "D10-07",
    ownerRole: "oncall",
    runbook: "d10-07-upload-spike",
    threshold: "depth > concurrency limit; latency > 5 min",
  },
  ledger_mismatch: { title: "Row ledger mismatch", scenario: "D10-03", ownerRole: "ingestion_owner", runbook: "d10-03-skipped-rows", threshold: "any" },
  partial_promotion: {
    title: "Partial promotion",
    scenario: "D10-02",
    ownerRole: "support_lead",
    runbook: "d10-02-partial-promotion",
    threshold: "any partial upload not yet reviewed",
  },
  spend_delta: { title: "Spend delta day over day", scenario: "D10-01", ownerRole: "ingestion_owner", runbook: "d10-01-metric-delta", threshold: "> ±30 %" },
  freshness: {
    title: "Data freshness",
    scenario: "WT-06",
    ownerRole: "oncall",
    runbook: "wt-06-freshness",
    threshold: "newest date older than the expected lag",
  },
  worker_anomaly: {
    title: "Worker run anomaly",
    scenario: "WT-06",
    ownerRole: "oncall",
    runbook: "wt-06-worker-anomaly",
    threshold: "run < 0.5 × rolling average with a backlog, or zero items while work waits",
  },
  halt_violation: { title: "Transitions after a halt", scenario: "D10-09", ownerRole: "sre_lead", runbook: "d10-09-kill-switch-not-applied", threshold: "any" },
  kill_switch_unaccountable: {
    title: "Kill-switch change without incident ID",
    scenario: "D10-05",
    ownerRole: "sre_lead",
    runbook: "d10-05-kill-switch-abuse",
    threshold: "any refused or unaccountable change",
  },
  alert_unacknowledged: {
    title: "Alert unacknowledged",
    scenario: "D10-06",
    ownerRole: "ingestion_owner",
    runbook: "d10-06-missed-alert",
    threshold: "> 15 min → escalate; error rate rising → drain",
  },
} as const satisfies Record<string, SignalDefinition>;

export type SignalId = keyof typeof SIGNALS;
export const SIGNAL_IDS = Object.keys(SIGNALS) as SignalId[];

/** One firing of a signal. Alerts are keyed by `fingerprint`: the same fingerprint is the same alert while it lasts. */
export type Firing = {
  signal: SignalId;
  fingerprint: string;
  severity: Severity;
  title: string;
  detail: string;
  /** The measured value (an error rate, a row count, a lag in days…). */
  value?: number | null;
  workspaceId?: string | null;
  uploadId?: string | null;
  data?: Record<string, unknown>;
};
