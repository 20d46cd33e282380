/**
 * The Day-0 checklist of D8 §1, adapted to this system: what it can verify itself is checked live
 * (launch-status.ts); the rest is ticked by a named person.
 */
export const SECTIONS = [
  { id: "1.1", title: "Infrastructure" },
  { id: "1.2", title: "Application" },
  { id: "1.3", title: "Monitoring" },
  { id: "1.4", title: "Operational readiness" },
  { id: "1.5", title: "Final go/no-go" },
] as const;

export type SectionId = (typeof SECTIONS)[number]["id"];

/** Items a person confirms (D8 §1). `noteLabel` asks for a detail kept with the tick (a name, a time). */
export const MANUAL_ITEMS = [
  { key: "db.dashboard", section: "1.1", label: "Managed PostgreSQL healthy in its provider's dashboard" },
  { key: "db.access", section: "1.1", label: "Database access reviewed (roles, network rules) on every table" },
  { key: "storage.permissions", section: "1.1", label: "Upload permissions configured on the storage bucket" },
  { key: "storage.retention", section: "1.1", label: "Retention policy set (if applicable)" },
  { key: "alerts.routing", section: "1.3", label: "Alert routing verified (test alert sent)" },
  { key: "dashboard.accessible", section: "1.3", label: "Dashboard accessible, all panels loading data, last 24 h by default" },
  { key: "oncall.primary", section: "1.4", label: "Primary on-call identified", noteLabel: "Name" },
  { key: "oncall.secondary", section: "1.4", label: "Secondary on-call identified", noteLabel: "Name" },
  { key: "oncall.escalation", section: "1.4", label: "Escalation path documented, contact numbers verified" },
  { key: "comms.channel", section: "1.4", label: "#ingestion-rollout channel created, stakeholders added" },
  { key: "comms.status_page", section: "1.4", label: "Status page updated (if applicable)" },
  { key: "rollback.reviewed", section: "1.4", label: "Rollback procedure reviewed (D8 §4.2)" },
  { key: "rollback.kill_switch", section: "1.4", label: "Kill switch tested in staging" },
  { key: "rollback.version_tagged", section: "1.4", label: "Previous version tagged (for a code rollback)" },
  { key: "go.no_p1_p2", section: "1.5", label: "No open P1/P2 bugs" },
  { key: "go.approval", section: "1.5", label: "Stakeholder verbal approval obtained" },
  { key: "go.launch_time", section: "1.5", label: "Launch time confirmed", noteLabel: "Launch time" },
] as const satisfies readonly { key: string; section: SectionId; label: string; noteLabel?: string }[];

export type ManualItemKey = (typeof MANUAL_ITEMS)[number]["key"];
export const MANUAL_KEYS = MANUAL_ITEMS.map((i) => i.key) as [ManualItemKey, ...ManualItemKey[]];

/** The synthetic test upload of D8 §2.1 step 4: a file whose name starts with this, in a P0 allowlist workspace. */
export const SYNTHETIC_PREFIX = "synthetic";
