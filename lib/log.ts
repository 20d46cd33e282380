/** Structured JSON lines with stable event names, so the runbook's grep/jq commands work on them. */
const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof levels, "silent">;

function threshold(): number {
  const configured = (process.env.LOG_LEVEL ?? "info") as keyof typeof levels;
  return levels[configured] ?? levels.info;
}

function write(level: Level, event: string, fields: Record<string, unknown>) {
  if (levels[level] < threshold()) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line + "\n");
}

export const log = {
  debug: (event: string, fields: Record<string, unknown> = {}) => write("debug", event, fields),
  info: (event: string, fields: Record<string, unknown> = {}) => write("info", event, fields),
  warn: (event: string, fields: Record<string, unknown> = {}) => write("warn", event, fields),
  error: (event: string, fields: Record<string, unknown> = {}) => write("error", event, fields),
};
