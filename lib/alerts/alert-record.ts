import type { Role } from "@/lib/auth/permissions";
import { runbookPath, type Severity } from "@/lib/signals/catalog";
import type { AlertNotesRow, AlertsRow } from "@/lib/db/rows";

export const ALERT_STATUSES = ["open", "acknowledged", "resolved"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const ALERT_OUTCOMES = ["fixed", "expected", "false_positive"] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];

export type Alert = {
  id: string;
  signal: string;
  fingerprint: string;
  scenario: string;
  severity: Severity;
  ownerRole: Role;
  runbook: string;
  /** The console page of the runbook. */
  runbookUrl: string;
  title: string;
  detail: string;
  data: Record<string, unknown>;
  value: number | null;
  openedValue: number | null;
  workspaceId: string | null;
  workspace: string | null;
  uploadId: string | null;
  status: AlertStatus;
  escalated: boolean;
  escalatedAt: Date | null;
  openedAt: Date;
  lastSeenAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  outcome: AlertOutcome | null;
  outcomeAt: Date | null;
  outcomeBy: string | null;
  openNotifiedAt: Date | null;
  escalationNotifiedAt: Date | null;
  /** Pass back as expectedVersion when setting the outcome. */
  version: number;
};

export type AlertNote = { id: number; alertId: string; author: string; body: string; createdAt: Date };

/** Columns for `toAlert`; `a` is alerts, joined to workspaces as `w` for the slug. */
export const ALERT_COLUMNS = `a.*, (SELECT slug FROM workspaces w WHERE w.id = a.workspace_id) AS workspace_slug`;

export function toAlert(r: AlertsRow & { workspace_slug: string | null }): Alert {
  return {
    id: r.id,
    signal: r.signal,
    fingerprint: r.fingerprint,
    scenario: r.scenario,
    severity: r.severity,
    ownerRole: r.owner_role,
    runbook: r.runbook,
    runbookUrl: runbookPath(r.runbook),
    title: r.title,
    detail: r.detail,
    data: (r.data ?? {}) as Record<string, unknown>,
    value: r.value,
    openedValue: r.opened_value,
    workspaceId: r.workspace_id,
    workspace: r.workspace_slug ?? null,
    uploadId: r.upload_id,
    status: r.status,
    escalated: r.escalated,
    escalatedAt: r.escalated_at,
    openedAt: r.opened_at,
    lastSeenAt: r.last_seen_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    outcome: r.outcome,
    outcomeAt: r.outcome_at,
    outcomeBy: r.outcome_by,
    openNotifiedAt: r.open_notified_at,
    escalationNotifiedAt: r.escalation_notified_at,
    version: r.version,
  };
}

export function toNote(r: AlertNotesRow): AlertNote {
  return { id: Number(r.id), alertId: r.alert_id, author: r.author, body: r.body, createdAt: r.created_at };
}
