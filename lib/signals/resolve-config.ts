import { env } from "@/lib/env";
import { signalConfigSchema, type SignalConfig, type SignalConfigInput } from "./config";

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

function merge(base: Plain, override: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = isPlain(v) && isPlain(base[k]) ? merge(base[k] as Plain, v) : v;
  return out;
}

/** The defaults (docs/signals.md), then SIGNAL_THRESHOLDS from the environment, then the caller's overrides. */
export function resolveSignalConfig(overrides: SignalConfigInput = {}): SignalConfig {
  const base = env().SIGNAL_THRESHOLDS ?? signalConfigSchema.parse({});
  return signalConfigSchema.parse(merge(base as Plain, overrides as Plain));
}
