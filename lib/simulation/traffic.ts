import type { Platform } from "@/lib/ingestion/parse/aliases";
import type { GenerateOptions } from "@/lib/testing/generate-file";
import { hashSeed } from "./random";

export const DAY_MS = 86_400_000;
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** One client export stream: a workspace's platform, delivered daily through the public API. */
export type Stream = { workspace: string; platform: Platform; campaigns: number; weekdayHour: number; weekendHour: number; skipWeekends: boolean };

/**
 * The clients: four workspaces, nine platform streams of different sizes. Weekday pattern: exports
 * arrive early on weekdays and late morning on weekends; umbrella's agency does not deliver on
 * weekends and sends Friday to Sunday in Monday's file (its workspace skips weekends for freshness).
 */
export const WORKSPACES = [
  { slug: "acme", skipWeekends: false },
  { slug: "globex", skipWeekends: false },
  { slug: "initech", skipWeekends: false },
  { slug: "umbrella", skipWeekends: true },
] as const;

export const STREAMS: Stream[] = [
  { workspace: "acme", platform: "meta", campaigns: 2000, weekdayHour: 5, weekendHour: 9, skipWeekends: false },
  { workspace: "acme", platform: "google", campaigns: 400, weekdayHour: 6, weekendHour: 10, skipWeekends: false },
  { workspace: "acme", platform: "tiktok", campaigns: 200, weekdayHour: 7, weekendHour: 11, skipWeekends: false },
  { workspace: "globex", platform: "meta", campaigns: 300, weekdayHour: 6, weekendHour: 10, skipWeekends: false },
  { workspace: "globex", platform: "google", campaigns: 600, weekdayHour: 8, weekendHour: 12, skipWeekends: false },
  { workspace: "initech", platform: "google", campaigns: 250, weekdayHour: 7, weekendHour: 11, skipWeekends: false },
  { workspace: "initech", platform: "tiktok", campaigns: 150, weekdayHour: 9, weekendHour: 13, skipWeekends: false },
  { workspace: "umbrella", platform: "meta", campaigns: 300, weekdayHour: 6, weekendHour: 6, skipWeekends: true },
  { workspace: "umbrella", platform: "tiktok", campaigns: 200, weekdayHour: 8, weekendHour: 8, skipWeekends: true },
];

export const streamKey = (s: { workspace: string; platform: string }) => `${s.workspace}/${s.platform}`;

/** One file a client sends: what it is made of, so the ledger can check every row of it. */
export type Delivery = {
  at: number;
  stream: string;
  workspace: string;
  platform: Platform;
  fileName: string;
  /** A generated export (real shapes per platform); null for a malformed file. */
  generate: (GenerateOptions & { seed: number }) | null;
  /** Raw bytes for files that are not exports (a malformed one). */
  raw?: Buffer;
  why: string;
  /** The fault this delivery belongs to, if any. */
  fault?: string;
};

const dow = (ms: number) => new Date(ms).getUTCDay(); // 0 Sunday … 6 Saturday

/** The regular daily deliveries of one day (data of the days before), with a few minutes of jitter. */
export function dailyDeliveries(dayStartMs: number, seed: number, state: { stopped: Set<string>; scale: Map<string, number> }): Delivery[] {
  const out: Delivery[] = [];
  const weekend = dow(dayStartMs) === 0 || dow(dayStartMs) === 6;
  for (const s of STREAMS) {
    const key = streamKey(s);
    if (state.stopped.has(key)) continue;
    if (s.skipWeekends && weekend) continue;
    // Monday's file of a weekday-only client covers Friday to Sunday.
    const days = s.skipWeekends && dow(dayStartMs) === 1 ? 3 : 1;
    const first = dayStartMs - days * DAY_MS;
    const jitter = hashSeed(seed, key, dayStartMs) % 40;
    const at = dayStartMs + ((weekend ? s.weekendHour : s.weekdayHour) * 60 + jitter) * 60_000;
    const campaigns = Math.round(s.campaigns * (state.scale.get(key) ?? 1));
    out.push({
      at,
      stream: key,
      workspace: s.workspace,
      platform: s.platform,
      fileName: `${s.platform}_${s.workspace}_${isoDay(first)}${days > 1 ? `_${isoDay(dayStartMs - DAY_MS)}` : ""}.csv`,
      generate: { platform: s.platform, rows: campaigns * days, campaigns, startDate: isoDay(first), seed: hashSeed(seed, key, isoDay(first)) },
      why: "daily export",
    });
  }
  return out;
}

/** Each stream's history before the simulation starts (four days, one file), so freshness and day-over-day have a baseline. */
export function historyDeliveries(startMs: number, seed: number): Delivery[] {
  return STREAMS.map((s) => {
    // The history ends the day before the first delivery's first day (a Monday file of a weekday-only client starts on Friday).
    const firstDelivered = startMs - (s.skipWeekends && dow(startMs) === 1 ? 3 : 1) * DAY_MS;
    const first = firstDelivered - 4 * DAY_MS;
    return {
      at: startMs,
      stream: streamKey(s),
      workspace: s.workspace,
      platform: s.platform,
      fileName: `${s.platform}_${s.workspace}_history.csv`,
      generate: {
        platform: s.platform,
        rows: s.campaigns * 4,
        campaigns: s.campaigns,
        startDate: isoDay(first),
        seed: hashSeed(seed, streamKey(s), "history"),
      },
      why: "onboarding history (4 days)",
    };
  });
}

/** An export tool that saved its error page instead of the report. */
export const MALFORMED_FILE = Buffer.from(
  `<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1><p>The export service is temporarily unavailable.</p></body></html>\n`,
);
