import { z } from "zod";

const ratio = z.number().min(0).max(10);
const positive = z.number().positive();

/**
 * The monitor's thresholds, with the defaults listed in docs/signals.md. Overridable as a whole or in part through the
 * SIGNAL_THRESHOLDS environment variable (JSON) and, in tests, per monitor call.
 */
export const signalConfigSchema = z.object({
  /** D8 §3.4 / §4: failed ÷ all uploads created in the window. */
  errorRate: z
    .object({
      windowMinutes: positive.default(60),
      warn: ratio.default(0.05),
      page: ratio.default(0.1),
      /** D8 §4.2: at this rate the alert advises rollback. */
      rollback: ratio.default(0.2),
      /** Fewer uploads than this in the window is not a rate (one bad file of one is not 100 %). */
      minUploads: z.number().int().min(1).default(5),
    })
    .prefault({}),
  /** D10-10: minutes in one non-terminal state. */
  stuckMinutes: positive.default(30),
  /** D8 / D10-08, read from uploads.staged_rows, never count(*) over staging. */
  staging: z
    .object({
      warnRows: z.number().int().min(0).default(10_000),
      criticalRows: z.number().int().min(0).default(500_000),
      criticalAgeDays: positive.default(7),
    })
    .prefault({}),
  /** D10-07. The depth limit defaults to INGESTION_CONCURRENCY_LIMIT. */
  queue: z
    .object({
      depthLimit: z.number().int().positive().optional(),
      parseLatencyMinutes: positive.default(5),
      /** Finished parses count towards latency for this long. */
      latencyLookbackMinutes: positive.default(15),
    })
    .prefault({}),
  /** D10-01: day-over-day change of total spend on days written by recent uploads. */
  spendDelta: z
    .object({
      threshold: ratio.default(0.3),
      lookbackHours: positive.default(24),
    })
    .prefault({}),
  /** WT-06: a successful run faster than `ratio` × the rolling average of its previous runs with a backlog. */
  workerAnomaly: z
    .object({
      ratio: ratio.default(0.5),
      sampleSize: z.number().int().min(1).default(20),
      minSamples: z.number().int().min(1).default(5),
      /** Only a run that finished this recently counts as the worker's "latest". */
      lookbackMinutes: positive.default(60),
    })
    .prefault({}),
  /** D10-09: transitions later than the halt by more than this are violations (a transaction in flight is not). */
  haltGraceSeconds: z.number().min(0).default(5),
  /** D10-05: refused or unaccountable kill-switch changes stay visible this long. */
  killSwitchLookbackMinutes: positive.default(60),
  /** D10-03: uploads failed with DATA_LOSS stay visible this long (counter mismatches stay until fixed). */
  ledgerLookbackHours: positive.default(24),
  /** D10-06. */
  escalation: z
    .object({
      afterMinutes: positive.default(15),
      /** Warnings are Slack-level (D8 §3.4) and do not page a second person. */
      severities: z.array(z.enum(["info", "warning", "page", "critical"])).default(["page", "critical"]),
    })
    .prefault({}),
  /** D10-06 hard stop: drain when the error rate is at page level and rising while a page stays unacknowledged. */
  autoDrain: z
    .object({
      enabled: z.boolean().default(true),
      /** How long the page must have gone unacknowledged (0 = drain as soon as the rate rises). */
      unacknowledgedMinutes: z.number().min(0).default(15),
    })
    .prefault({}),
});

export type SignalConfig = z.infer<typeof signalConfigSchema>;
export type SignalConfigInput = z.input<typeof signalConfigSchema>;
