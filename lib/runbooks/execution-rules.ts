import type { StepResult } from "./runbook.schema";

/** An open execution untouched for this long is flagged on the Runbooks page: it must be continued or closed. */
export const IDLE_HOURS = 2;

/**
 * What keeps an execution from closing as resolved: required steps without a result, or whose latest
 * result is failed (Iteration 06: partial recovery is not a resolution). Pure, so the server computes
 * the same list it enforces and the execution page shows it.
 */
export function unresolvedSteps(required: readonly { id: string; title: string }[], latest: Record<string, { result: StepResult }>): string[] {
  return required.filter((s) => !latest[s.id] || latest[s.id].result === "failed").map((s) => `${s.id} ${s.title} (${latest[s.id] ? "failed" : "no result"})`);
}
