import { badRequest } from "@/lib/errors";

/** D8 §6.1: the quantitative criteria are judged over a 7-day window. */
export const WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

export type GaWindow = {
  /** First UTC day of the window, inclusive (YYYY-MM-DD). */
  firstDay: string;
  /** Last UTC day of the window, inclusive (YYYY-MM-DD). */
  lastDay: string;
  start: Date;
  /** Exclusive: midnight UTC after the last day. */
  end: Date;
};

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The 7 whole UTC days ending with `lastDay` (default: today, so today's figures so far count). */
export function gaWindow(lastDay?: string | null, now = new Date()): GaWindow {
  const day = lastDay ?? isoDay(now);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw badRequest(`"${day}" is not a day (YYYY-MM-DD).`, "BAD_WINDOW");
  const end = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS);
  if (end.getTime() - DAY_MS > now.getTime()) throw badRequest(`The window cannot end in the future (${day}).`, "BAD_WINDOW");
  const start = new Date(end.getTime() - WINDOW_DAYS * DAY_MS);
  return { firstDay: isoDay(start), lastDay: day, start, end };
}
