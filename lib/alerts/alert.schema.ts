import { z } from "zod";
import { ROLES } from "@/lib/auth/permissions";
import { SCENARIOS, SIGNAL_IDS } from "@/lib/signals/catalog";
import { ALERT_OUTCOMES, ALERT_STATUSES } from "./alert-record";

/** A query-string flag ("true" / "false") or, from code, a boolean. */
const flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

/** Query string of GET /api/console/alerts. `active` = open or acknowledged. */
export const alertFiltersSchema = z.object({
  status: z.enum([...ALERT_STATUSES, "active"]).optional(),
  ownerRole: z.enum(ROLES).optional(),
  scenario: z.enum(SCENARIOS).optional(),
  signal: z.enum(SIGNAL_IDS as [string, ...string[]]).optional(),
  /** Workspace id or slug. */
  workspace: z.string().trim().min(1).max(100).optional(),
  escalated: flag.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AlertFilters = z.input<typeof alertFiltersSchema>;

export const alertNoteSchema = z.object({ body: z.string().trim().min(1, "A note cannot be empty.").max(4000) });
export const alertOutcomeSchema = z.object({ outcome: z.enum(ALERT_OUTCOMES), expectedVersion: z.number().int().min(1) });
/** D10-02: acknowledging says what the client was told (and the ticket), so the review can be followed up. */
export const partialAcknowledgeSchema = z.object({
  note: z.string().trim().min(1, "Say what you told the client, or why no message is needed.").max(4000),
  ticket: z.string().trim().max(100).optional(),
});
export const partialFiltersSchema = z.object({
  review: z.enum(["pending", "reviewed", "all"]).default("all"),
  workspace: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type PartialFilters = z.input<typeof partialFiltersSchema>;
