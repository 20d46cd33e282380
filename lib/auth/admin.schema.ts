import { z } from "zod";

/** Disable, enable, sign out everywhere, revoke: a reason. An empty one is refused (and audited) by the domain. */
export const reasonSchema = z.object({ reason: z.string().trim().max(500).default("") });

/** GET /api/console/admin/api-keys?workspace=<slug or id> */
export const apiKeyFiltersSchema = z.object({ workspace: z.string().trim().min(1).max(100).optional() });
