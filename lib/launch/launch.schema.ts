import { z } from "zod";
import { MANUAL_KEYS } from "./checklist";

export const launchTickSchema = z.object({ item: z.enum(MANUAL_KEYS), checked: z.boolean(), note: z.string().trim().max(200).nullish() });
export const launchDecisionSchema = z.object({ decision: z.enum(["go", "no_go"]), reason: z.string().trim().min(3).max(1000) });
