import { ConfigError, env } from "@/lib/env";
import { signalConfigSchema, type SignalConfig, type SignalConfigInput } from "./config";

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

function merge(base: Plain, override: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = isPlain(v) && isPlain(base[k]) ? merge(base[k] as Plain, v) : v;
  return out;
}

/** SIGNAL_THRESHOLDS checked against the thresholds schema; the error names the variable and the bad field. */
function environmentThresholds(): Plain {
  const raw = env().SIGNAL_THRESHOLDS;
  if (!raw) return {};
  const parsed = signalConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  SIGNAL_THRESHOLDS.${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return raw;
}

/** The defaults (docs/signals.md), then SIGNAL_THRESHOLDS from the environment, then the caller's overrides. */
export function resolveSignalConfig(overrides: SignalConfigInput = {}): SignalConfig {
  return signalConfigSchema.parse(merge(environmentThresholds(), overrides as Plain));
}
