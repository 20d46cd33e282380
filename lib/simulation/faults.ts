import { DAY_MS } from "./traffic";

export const FAULT_IDS = [
  "duplicate_upload",
  "db_outage",
  "dead_webhook",
  "kill_switch_no_incident",
  "platform_stops",
  "worker_killed",
  "worker_no_work",
  "partial_upload",
  "spend_jump",
  "alert_unacknowledged",
  "malformed_file",
  "upload_spike",
] as const;
export type FaultId = (typeof FAULT_IDS)[number];

/** What catches each fault, and how long it may take before the fault counts as undetected. */
export const DETECTORS: Record<FaultId, { label: string; detector: string; thresholdMinutes: number }> = {
  duplicate_upload: { label: "Duplicate upload (client retries the same file)", detector: "intake refuses it: 409 DUPLICATE_FILE", thresholdMinutes: 1 },
  db_outage: {
    label: "Database outage (connections refused through the TCP proxy)",
    detector: "signal database_unavailable (readiness samples), or breaker_open on a worker's breaker",
    thresholdMinutes: 30,
  },
  dead_webhook: { label: "Dead alert webhook (receiver answers 500)", detector: "signal breaker_open (breaker webhook)", thresholdMinutes: 60 },
  kill_switch_no_incident: {
    label: "Kill-switch change without an incident ID",
    detector: "signal kill_switch_unaccountable (the refusal is audited)",
    thresholdMinutes: 5,
  },
  platform_stops: { label: "A platform stops sending (freshness)", detector: "signal freshness", thresholdMinutes: 36 * 60 },
  worker_killed: {
    label: "Worker killed (SIGKILL) mid-parse",
    detector: "lease expiry (WORKER_LEASE_SECONDS): another worker claims the upload and resumes it",
    thresholdMinutes: 15,
  },
  worker_no_work: { label: "A parse run that does no work with a backlog (WT-06)", detector: "signal worker_anomaly", thresholdMinutes: 15 },
  partial_upload: { label: "Partial upload (file with invalid rows)", detector: "signal partial_promotion", thresholdMinutes: 30 },
  spend_jump: { label: "Spend jump > 30 % day over day (D10-01)", detector: "signal spend_delta", thresholdMinutes: 60 },
  alert_unacknowledged: {
    label: "An alert nobody acknowledges (primary on-call unreachable)",
    detector: "escalation (alert_unacknowledged, D10-06)",
    thresholdMinutes: 20,
  },
  malformed_file: { label: "Malformed files (export tool saves its error page)", detector: "signal error_rate", thresholdMinutes: 60 },
  upload_spike: {
    label: "Upload spike over the concurrency limit (D10-07)",
    detector: "intake throttles: 429 THROTTLED (and queue_pressure when the queue backs up)",
    thresholdMinutes: 5,
  },
};

export type FaultPlan = { id: FaultId; instance: number; at: number; durationMinutes: number; target?: string };

/**
 * The schedule: every fault once in each block of the run (a two-day block; a 14-day run has two,
 * starting on days 1 and 8), at fixed hours with a seeded jitter of up to 20 minutes. The hours keep
 * faults apart, except where two are meant to meet (the dead webhook while alerts fire; the primary
 * on-call unreachable while the malformed files page).
 */
export function planFaults(startMs: number, days: number, seed: number, only: FaultId[] | null): FaultPlan[] {
  const blocks = days >= 9 ? [1, 8] : days >= 3 ? [1] : [0];
  const hours: Record<FaultId, [day: number, hour: number, duration: number]> = {
    duplicate_upload: [0, 12, 0],
    db_outage: [0, 14, 8],
    dead_webhook: [0, 18, 180],
    kill_switch_no_incident: [0, 18.4, 0],
    platform_stops: [0, 0.5, 0],
    worker_killed: [1, 3, 0],
    worker_no_work: [1, 5, 0],
    partial_upload: [1, 7, 0],
    spend_jump: [1, 6, 0],
    alert_unacknowledged: [1, 9.8, 150],
    malformed_file: [1, 10, 25],
    upload_spike: [1, 15, 0],
  };
  const targets: Partial<Record<FaultId, string[]>> = {
    platform_stops: ["initech/tiktok", "umbrella/tiktok"],
    spend_jump: ["acme/google", "globex/meta"],
    partial_upload: ["initech/google", "acme/tiktok"],
    duplicate_upload: ["acme/tiktok", "globex/google"],
  };
  const plan: FaultPlan[] = [];
  blocks.forEach((block, instance) => {
    for (const id of FAULT_IDS) {
      if (only && !only.includes(id)) continue;
      const [planned, hour, duration] = hours[id];
      // A one-day run puts the second day's faults on its only day.
      const day = Math.min(planned, days - 1);
      const jitter = ((seed * 7919 + instance * 104729 + FAULT_IDS.indexOf(id) * 31) % 21) * 60_000;
      // Faults that ride on a daily delivery keep the delivery's hour.
      const rides = ["partial_upload", "spend_jump", "platform_stops", "duplicate_upload"].includes(id);
      plan.push({
        id,
        instance,
        at: startMs + (block + day) * DAY_MS + hour * 3_600_000 + (rides ? 0 : jitter),
        durationMinutes: duration,
        target: targets[id]?.[instance],
      });
    }
  });
  return plan.sort((a, b) => a.at - b.at);
}
