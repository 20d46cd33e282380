import { z } from "zod";

export const GA_LINES = ["eng_lead", "pm", "sre_lead"] as const;
export type GaLine = (typeof GA_LINES)[number];
export const GA_VOTES = ["approve", "defer"] as const;

/** D8 §6.1 qualitative criteria, in the form's order. */
export const CHECKLIST_ITEMS = [
  { key: "clientFeedback", label: "Client feedback reviewed: no blockers" },
  { key: "supportTickets", label: "Support ticket volume: normal" },
  { key: "oncallBurden", label: "On-call burden: < 1 page/week" },
  { key: "documentation", label: "Documentation: published" },
  { key: "runbookValidated", label: "Runbook: validated in production" },
] as const;
export type ChecklistKey = (typeof CHECKLIST_ITEMS)[number]["key"];

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day as YYYY-MM-DD");
const checklistItem = z.object({ met: z.boolean(), note: z.string().trim().max(1000).default("") });

export const checklistSchema = z.object(Object.fromEntries(CHECKLIST_ITEMS.map((i) => [i.key, checklistItem])) as Record<ChecklistKey, typeof checklistItem>);
export type Checklist = z.infer<typeof checklistSchema>;

export const prepareSchema = z.object({ lastDay: day.nullish() });
export const recomputeSchema = z.object({ lastDay: day.nullish(), expectedVersion: z.number().int().min(1) });
export const saveChecklistSchema = z.object({ checklist: checklistSchema, expectedVersion: z.number().int().min(1) });
export const signSchema = z.object({
  vote: z.enum(GA_VOTES),
  note: z.string().trim().max(2000).nullish(),
  reReviewOn: day.nullish(),
  expectedVersion: z.number().int().min(1),
});
export const figuresQuerySchema = z.object({ lastDay: day.optional() });
