import type { ReactNode } from "react";
import { RunbookExecutionView, type ExecutionRunbook } from "@/components/runbook-execution-view";
import { StepBody, type StepVars } from "@/components/runbook-markdown";
import { decide, decideRunbook } from "@/lib/auth/permissions";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";
import { findRunbook } from "@/lib/runbooks/load-runbooks";
import { getRunbookExecutionOrThrow } from "@/lib/runbooks/runbook-executions";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user, params }) => {
  const execution = await getRunbookExecutionOrThrow(pool(), params.id);
  const runbook = findRunbook(execution.runbook);
  const vars: StepVars = { INCIDENT_ID: execution.incidentId, ...(execution.alert?.uploadId ? { UPLOAD_ID: execution.alert.uploadId } : {}) };
  // The steps' Markdown is rendered here, on the server; the live client view only places it.
  const bodies: Record<string, ReactNode> = {};
  for (const step of runbook?.steps ?? []) bodies[step.id] = <StepBody step={step} vars={vars} />;
  const outline: ExecutionRunbook | null = runbook ? {
    version: runbook.version,
    digest: runbook.digest,
    sections: runbook.sections.map((s) => ({ key: s.key, label: s.label, required: s.required, steps: s.steps.map((step) => ({ id: step.id, title: step.title })) })),
      }
    : null;
  return <RunbookExecutionView initial={JSON.parse(JSON.stringify(execution))} runbook={outline} bodies={bodies} canExecute={runbook ? decideRunbook(user, runbook.owner) : decide(user, "runbook.execute")} />;
});
