import { findRunbook, requiredSteps } from "./catalog";
import type { StepResult } from "./runbook.schema";

/** An open execution untouched for this long is flagged on the Runbooks page: it must be continued or closed. */
export const IDLE_HOURS = 2;

/**
 * What keeps an execution from closing as resolved: steps of detection → verification without a result,
 * or whose latest result is failed (Iteration 06: partial recovery is not a resolution). Pure, so the
 * execution page shows the same list the server enforces.
 */
export function unresolvedSteps(execution: { runbook: string; latest: Record<string, { result: StepResult }> }): string[] {
  const runbook = findRunbook(execution.runbook);
  if (!runbook) return [];
  return requiredSteps(runbook)
    .filter((s) => !execution.latest[s.id] || execution.latest[s.id].result === "failed")
    .map((s) => `${s.id} ${s.title} (${execution.latest[s.id] ? "failed" : "no result"})`);
}
