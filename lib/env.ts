import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
    NEXTAUTH_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    NEXTAUTH_URL: z.url().optional(),
    CRON_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    METRICS_TOKEN: z.string().min(8).optional(),
    DATA_DIR: z.string().default(".data"),
    /** Where uploaded files live: file://<dir> (the default, DATA_DIR/files) or s3://<bucket>[/<prefix>]. */
    STORAGE_URL: z
      .string()
      .regex(/^(file:\/\/.+|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?)$/, "must be file://<dir> or s3://<bucket>[/<prefix>] (a lowercase S3 bucket name)")
      .optional(),
    /** The S3 API endpoint for MinIO, R2, s3rver and the like; unset means AWS itself. */
    S3_ENDPOINT: z.url().optional(),
    /** Path-style URLs (<endpoint>/<bucket>/<key>), which MinIO and most S3-compatible servers need. */
    S3_FORCE_PATH_STYLE: bool.default(false),
    AWS_REGION: z.string().default("us-east-1"),
    AWS_ACCESS_KEY_ID: z.string().optional(),
    AWS_SECRET_ACCESS_KEY: z.string().optional(),
    /** How long a worker's claim on an upload lasts without renewal: a killed worker's upload waits this long. */
    WORKER_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    /** On SIGTERM, how long the workers may take to checkpoint and release their uploads before the process exits anyway. */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
    INGESTION_ENABLED: bool.default(true),
    SCHEDULER_ENABLED: bool.default(false),
    SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(200).default(2000),
    /** How often the in-process scheduler runs the monitor (at most once a minute: it samples readiness per minute). */
    MONITOR_INTERVAL_MS: z.coerce.number().int().min(1000).max(60_000).default(15_000),
    UPLOAD_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(200 * 1024 * 1024),
    /** Uploads waiting (pending) above which intake throttles with 429 (D10-07). */
    INGESTION_CONCURRENCY_LIMIT: z.coerce.number().int().positive().default(50),
    /** The fraction of that limit one workspace may fill with waiting uploads (D10-07), so one tenant cannot starve the others. */
    INGESTION_WORKSPACE_SHARE: z.coerce
      .number({ error: "must be a number" })
      .gt(0, "must be a fraction above 0 (e.g. 0.5)")
      .max(1, "must be a fraction of at most 1 (1 = no per-workspace limit)")
      .default(0.5),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(250),
    STAGING_RETENTION_HOURS: z.coerce.number().positive().default(24),
    OIDC_ISSUER: z.url().optional(),
    OIDC_CLIENT_ID: z.string().optional(),
    OIDC_CLIENT_SECRET: z.string().optional(),
    OIDC_NAME: z.string().default("Company SSO"),
    ALERT_WEBHOOK_URL: z.url().optional(),
    /** A webhook call that takes longer counts as failed (it never holds up the monitor for longer). */
    ALERT_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
    /** Circuit breakers (workers' database calls, file store, webhook): failures within the window open one. */
    BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().positive().default(5),
    BREAKER_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
    /** How long an open breaker refuses calls before it lets one probe through. */
    BREAKER_COOLDOWN_MS: z.coerce.number().int().positive().default(30_000),
    /** JSON overrides of the monitor's thresholds (docs/signals.md; checked against the thresholds schema at boot), e.g. {"errorRate":{"page":0.15}}. */
    SIGNAL_THRESHOLDS: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (!raw) return undefined;
        try {
          const parsed: unknown = JSON.parse(raw);
          if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
        } catch {
          // reported below
        }
        ctx.addIssue({ code: "custom", message: "must be a JSON object of signal thresholds (docs/signals.md)" });
        return z.NEVER;
      }),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    /** Incident IDs an operator gives with a control change must match this (D10-05), e.g. INC-1234. */
    INCIDENT_ID_PATTERN: z
      .string()
      .default("^[A-Z][A-Z0-9]+-\\d+$")
      .refine((raw) => {
        try {
          new RegExp(raw);
          return true;
        } catch {
          return false;
        }
      }, "must be a valid regular expression"),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production") {
      for (const key of ["NEXTAUTH_SECRET", "CRON_SECRET", "METRICS_TOKEN"] as const) {
        if (!env[key]) ctx.addIssue({ code: "custom", path: [key], message: "is required when NODE_ENV=production" });
      }
    }
    if (Boolean(env.AWS_ACCESS_KEY_ID) !== Boolean(env.AWS_SECRET_ACCESS_KEY)) {
      ctx.addIssue({ code: "custom", path: ["AWS_ACCESS_KEY_ID"], message: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together" });
    }
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({ code: "custom", path: ["OIDC_ISSUER"], message: "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together" });
    }
  });

export type Env = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Parses an environment; the error names every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
