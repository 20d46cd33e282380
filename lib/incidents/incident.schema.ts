import { z } from "zod";
import { badRequest } from "@/lib/errors";

/** A time typed in the console's UTC `datetime-local` field ("2026-03-05T14:30") or a full ISO timestamp. */
export const utcTime = z
  .string()
  .trim()
  .min(1)
  .transform((v, ctx) => {
    const text = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v) ? `${v}Z` : v;
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: "custom", message: `"${v}" is not a time (YYYY-MM-DDTHH:MM, UTC)` });
      return z.NEVER;
    }
    return new Date(ms);
  });

const incidentId = z.string().trim().min(1).max(64);

export const timelineQuerySchema = z.object({ incident: incidentId, from: utcTime, to: utcTime });
export type TimelineQuery = z.infer<typeof timelineQuerySchema>;

export const savePostmortemSchema = z.object({
  incidentId,
  title: z.string().trim().min(3).max(200),
  from: utcTime,
  to: utcTime,
  whatHappened: z.string().max(20_000).default(""),
  why: z.string().max(20_000).default(""),
  whatChanged: z.string().max(20_000).default(""),
  /** 0 when creating the draft; otherwise the version the writer loaded. */
  expectedVersion: z.number().int().min(0),
});
export type SavePostmortemInput = z.infer<typeof savePostmortemSchema>;

/** Longest window a timeline gathers, so a typo in a year cannot scan the whole history. */
export const MAX_WINDOW_DAYS = 31;

export function assertWindow(from: Date, to: Date) {
  if (to <= from) throw badRequest("The end of the window must be after its start.", "BAD_WINDOW");
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000) throw badRequest(`A window is at most ${MAX_WINDOW_DAYS} days.`, "BAD_WINDOW");
}

/** D10-04: the silent period, what it hid, and (optionally) the incident it belongs to. */
export const acceptedUnknownSchema = z.object({
  incidentId: z.string().trim().max(64).optional(),
  title: z.string().trim().min(3, "Name what stayed silent (e.g. the alert rule).").max(200),
  from: utcTime,
  to: utcTime,
  impact: z.string().trim().min(10, "Describe the impact: what went unnoticed, for whom, for how long.").max(20_000),
});
export type AcceptedUnknownInput = z.infer<typeof acceptedUnknownSchema>;
