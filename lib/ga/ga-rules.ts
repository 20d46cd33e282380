import { decide, type Action } from "@/lib/auth/permissions";
import type { Actor } from "@/lib/auth/actor";
import type { GaFigures } from "./compute-ga-figures";
import { CHECKLIST_ITEMS, GA_LINES, type Checklist, type GaLine } from "./ga.schema";

/** Pure rules shared by the server and the sign-off page (no database, no Node APIs). */
export const LINE_LABEL: Record<GaLine, string> = { eng_lead: "Engineering Lead", pm: "Product Manager", sre_lead: "SRE Lead" };
/** Each approval line and the one permission that signs it (lib/auth/permissions.ts). */
export const LINE_ACTION: Record<GaLine, Action> = { eng_lead: "ga.sign_eng", pm: "ga.sign_pm", sre_lead: "ga.sign_sre" };

/** What this user may do on the GA page: sign which line, and (as the PM) prepare the form and fill in the checklist. */
export function gaPermissions(actor: Actor) {
  const pm = decide(actor, "ga.sign_pm");
  return {
    lines: Object.fromEntries(GA_LINES.map((line) => [line, decide(actor, LINE_ACTION[line])])) as Record<GaLine, ReturnType<typeof decide>>,
    edit: pm,
    prepare: pm,
  };
}

/** What does not meet its target: failing or missing figures and unmet checklist items. Approving despite any needs a note. */
export function shortfalls(form: { figures: GaFigures; checklist: Checklist | null }): string[] {
  const figures = Object.values(form.figures.figures)
    .filter((f) => f.status === "fail" || f.status === "no_data")
    .map((f) => `${f.label} (${f.display}, target ${f.target})`);
  const items = CHECKLIST_ITEMS.filter((i) => form.checklist && !form.checklist[i.key].met).map((i) => `"${i.label}" not met`);
  return [...figures, ...items];
}
