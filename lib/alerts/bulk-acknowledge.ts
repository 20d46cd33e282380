import type pg from "pg";
import type { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { eachUpload, type bulkAcknowledgeSchema } from "@/lib/uploads/bulk-actions";
import { acknowledgePartial } from "./partials";

/** Acknowledges partial promotions one by one through the Support Lead's own acknowledgement (D10-02). */
export async function bulkAcknowledgePartials(pool: pg.Pool, actor: Actor, input: z.infer<typeof bulkAcknowledgeSchema>) {
  return {
    results: await eachUpload(input.items, async (item) => {
      await acknowledgePartial(pool, actor, item.id, { note: input.note });
      return "Acknowledged.";
    }),
  };
}
