import { z } from "zod";

export const EXECUTION_STATUSES = ["open", "resolved", "escalated", "aborted"] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const CLOSING_OUTCOMES = ["resolved", "escalated", "aborted"] as const;
export type ClosingOutcome = (typeof CLOSING_OUTCOMES)[number];
export const STEP_RESULTS = ["ok", "failed", "skipped"] as const;
export type StepResult = (typeof STEP_RESULTS)[number];

const note = z.string().trim().max(2000).nullish();

export const startExecutionSchema = z.object({
  runbook: z.string().trim().min(1).max(100),
  alertId: z.union([z.uuid(), z.literal("")]).nullish().transform((v) => v || null),
  incidentId: z.string().trim().max(64).nullish(),
});
export const recordStepSchema = z.object({ stepId: z.string().trim().min(1).max(20), result: z.enum(STEP_RESULTS), note });
export const closeExecutionSchema = z.object({ outcome: z.enum(CLOSING_OUTCOMES), note, expectedVersion: z.number().int().min(1) });

const day = z.iso.date();
export const executionFiltersSchema = z.object({
  runbook: z.string().trim().min(1).optional(),
  status: z.enum(EXECUTION_STATUSES).optional(),
  person: z.string().trim().min(1).optional(),
  incident: z.string().trim().min(1).optional(),
  alert: z.string().trim().min(1).optional(),
  result: z.enum(STEP_RESULTS).optional(),
  from: day.optional(),
  to: day.optional(),
});
export type ExecutionFilters = z.infer<typeof executionFiltersSchema>;

/** Filters from URL search params; empty values mean "no filter". */
export function parseExecutionFilters(params: URLSearchParams | Record<string, string | string[] | undefined>): ExecutionFilters {
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]);
  return executionFiltersSchema.parse(Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== "")));
}
