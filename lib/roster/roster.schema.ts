import { z } from "zod";
import { utcTime } from "@/lib/incidents/incident.schema";

/** A Slack member ID as Slack shows it in a profile ("Copy member ID"): U or W, then capitals and digits. */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{5,20}$/;

export const shiftInputSchema = z.object({
  startsAt: utcTime,
  endsAt: utcTime,
  primaryId: z.string().uuid("Choose the primary on-call."),
  secondaryId: z.string().uuid("Choose the secondary on-call."),
});
export type ShiftInput = z.infer<typeof shiftInputSchema>;

export const shiftUpdateSchema = shiftInputSchema.extend({ expectedVersion: z.number().int().min(1) });
export const shiftDeleteSchema = z.object({ expectedVersion: z.number().int().min(1) });

export const slackIdSchema = z.object({
  userId: z.string().uuid(),
  /** Empty clears it: the person is then named without a mention. */
  slackUserId: z
    .string()
    .trim()
    .transform((v) => v.toUpperCase())
    .refine((v) => v === "" || SLACK_USER_ID.test(v), "A Slack member ID looks like U012AB3CD (Slack profile → ⋮ → Copy member ID)."),
});
