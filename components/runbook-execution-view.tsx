"use client";

import Link from "next/link";
import { useState, type ReactNode } from "react";
import type { Execution } from "@/lib/runbooks/runbook-executions";
import type { ClosingOutcome, StepResult } from "@/lib/runbooks/runbook.schema";
import type { Permission } from "./action-form";
import { useAction, useLive } from "./api";
import { ExecutionStatusBadge, ResultBadge } from "./runbook-steps";
import { ErrorBox, Freshness, utc } from "./ui";

const RESULT_LABEL: Record<StepResult, string> = { ok: "OK", failed: "Failed", skipped: "Skipped" };

/** The runbook's outline as the server read it from its Markdown file (the steps' text comes rendered, in `bodies`). */
export type ExecutionRunbook = {
  version: string;
  digest: string;
  sections: { key: string; label: string; required: boolean; steps: { id: string; title: string }[] }[];
};

/** Running a runbook: every step with its instructions, its result buttons and its history, then the close form. */
export function RunbookExecutionView({
  initial,
  runbook,
  bodies,
  canExecute,
}: {
  initial: Execution;
  runbook: ExecutionRunbook | null;
  bodies: Record<string, ReactNode>;
  canExecute: Permission;
}) {
  const { data, error, dataUpdatedAt } = useLive<Execution>(["runbook-execution", initial.id], `/api/console/runbooks/executions/${initial.id}`, initial);
  const e = data ?? initial;
  const changed = runbook && (e.runbookVersion !== runbook.version || (e.runbookDigest !== null && e.runbookDigest !== runbook.digest));

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <Link href={`/runbooks/${e.runbook}`} className="text-sm text-blue-700 underline">
            ← {e.runbookTitle}
          </Link>
          <h1 className="mt-1 text-2xl font-semibold">
            Execution: {e.runbookTitle} <ExecutionStatusBadge status={e.status} />
          </h1>
          <p className="text-sm text-slate-600">
            Incident{" "}
            <span className="font-mono" data-testid="execution-incident">
              {e.incidentId}
            </span>{" "}
            · started by {e.startedBy} {utc(e.startedAt)} · {e.progress.recorded}/{e.progress.required} steps recorded
            {e.progress.failed ? `, ${e.progress.failed} failed` : ""} · <span className="font-mono">{e.id}</span>
          </p>
          {e.alert && (
            <p className="text-sm">
              For alert{" "}
              <Link className="text-blue-700 underline" href={`/alerts?id=${e.alert.id}`}>
                {e.alert.title}
              </Link>{" "}
              ({e.alert.status})
              {e.alert.uploadId && (
                <>
                  {" "}
                  · upload{" "}
                  <Link className="font-mono text-blue-700 underline" href={`/uploads/${e.alert.uploadId}`}>
                    {e.alert.uploadId}
                  </Link>
                </>
              )}
            </p>
          )}
          <p className="text-sm text-slate-600">
            Runbook version <span data-testid="execution-runbook-version">{e.runbookVersion}</span>
          </p>
          {changed && (
            <p className="text-sm text-amber-800">
              Started on version {e.runbookVersion}; the runbook file has changed since (now {runbook.version}). Recorded step titles are kept as they were.
            </p>
          )}
        </div>
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </div>
      <ErrorBox error={error} />
      {!runbook && <ErrorBox error={new Error(`Runbook ${e.runbook} is no longer in runbooks/; the recorded steps are below.`)} />}

      {runbook?.sections.map((s) => (
        <section key={s.key} aria-label={s.label} className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="text-lg font-semibold">
            {s.label}
            {!s.required && <span className="ml-2 text-sm font-normal text-slate-500">(only when needed)</span>}
          </h2>
          <ol className="mt-2 space-y-4">
            {s.steps.map((step) => (
              <StepItem key={step.id} step={step} body={bodies[step.id]} execution={e} canExecute={canExecute} />
            ))}
          </ol>
        </section>
      ))}

      <CloseSection execution={e} canExecute={canExecute} />

      <section aria-label="Step log" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="text-lg font-semibold">Step log</h2>
        {e.records.length === 0 ? (
          <p className="text-sm text-slate-600">No step recorded yet.</p>
        ) : (
          <table className="mt-2 w-full border-collapse text-sm" data-testid="step-log">
            <thead>
              <tr className="border-b text-left text-slate-600">
                <th className="p-2">Time (UTC)</th>
                <th className="p-2">Step</th>
                <th className="p-2">Result</th>
                <th className="p-2">Note</th>
                <th className="p-2">By</th>
              </tr>
            </thead>
            <tbody>
              {e.records.map((r) => (
                <tr key={r.id} className="border-b align-top">
                  <td className="p-2 font-mono text-xs whitespace-nowrap">{utc(r.recordedAt)}</td>
                  <td className="p-2">
                    {r.stepId} {r.title}
                  </td>
                  <td className="p-2">
                    <ResultBadge result={r.result} />
                  </td>
                  <td className="p-2">{r.note}</td>
                  <td className="p-2">{r.recordedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function StepItem({
  step,
  body,
  execution,
  canExecute,
}: {
  step: { id: string; title: string };
  body: ReactNode;
  execution: Execution;
  canExecute: Permission;
}) {
  const [note, setNote] = useState("");
  const record = useAction<{ stepId: string; result: StepResult; note: string }>(`/api/console/runbooks/executions/${execution.id}/steps`);
  const latest = execution.latest[step.id];
  const history = execution.records.filter((r) => r.stepId === step.id);
  const denied = !canExecute.allowed ? canExecute.reason : null;
  return (
    <li
      aria-label={`Step ${step.id} ${step.title}`}
      data-testid={`step-${step.id}`}
      data-result={latest?.result ?? "none"}
      className="rounded border border-slate-100 p-2"
    >
      <h3 className="flex flex-wrap items-center gap-2 font-semibold">
        {step.id} {step.title} {latest ? <ResultBadge result={latest.result} /> : <span className="text-xs font-normal text-slate-500">no result yet</span>}
      </h3>
      {body}
      {history.length > 0 && (
        <ul className="mt-1 text-xs text-slate-600">
          {history.map((r) => (
            <li key={r.id}>
              {utc(r.recordedAt)} · {r.result} by {r.recordedBy}
              {r.note ? ` — ${r.note}` : ""}
            </li>
          ))}
        </ul>
      )}
      {execution.status === "open" && (
        <div className="mt-2 flex flex-wrap items-end gap-2">
          <label className="flex grow flex-col text-sm font-medium">
            Note for step {step.id}
            <input
              value={note}
              onChange={(ev) => setNote(ev.target.value)}
              disabled={Boolean(denied)}
              className="rounded border border-slate-300 px-2 py-1 font-normal"
            />
          </label>
          {(["ok", "failed", "skipped"] as const).map((result) => (
            <button
              key={result}
              type="button"
              aria-label={`Mark step ${step.id} ${result}`}
              disabled={Boolean(denied) || record.isPending}
              title={denied ? `Not allowed: ${denied}` : undefined}
              onClick={() => record.mutate({ stepId: step.id, result, note }, { onSuccess: () => setNote("") })}
              className={`rounded px-3 py-1.5 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-40 ${
                result === "ok" ? "bg-emerald-700 text-white" : result === "failed" ? "bg-red-700 text-white" : "border border-slate-400 bg-white"
              }`}
            >
              {RESULT_LABEL[result]}
            </button>
          ))}
          {denied && <span className="text-xs text-slate-500">{denied}</span>}
          <div className="w-full">
            <ErrorBox error={record.error} />
          </div>
        </div>
      )}
    </li>
  );
}

function CloseSection({ execution, canExecute }: { execution: Execution; canExecute: Permission }) {
  const close = useAction<{ outcome: ClosingOutcome; note: string; expectedVersion: number }>(`/api/console/runbooks/executions/${execution.id}/close`);
  const [outcome, setOutcome] = useState<ClosingOutcome>("resolved");
  const missing = execution.unresolved;
  const denied = !canExecute.allowed ? canExecute.reason : null;
  if (execution.status !== "open") {
    return (
      <section aria-label="Outcome" className="rounded-lg border border-slate-300 bg-white p-4" data-testid="execution-outcome">
        <h2 className="text-lg font-semibold">
          Closed as {execution.status} by {execution.closedBy} {utc(execution.closedAt)}
        </h2>
        {execution.closingNote && <p className="text-sm">{execution.closingNote}</p>}
      </section>
    );
  }
  return (
    <section aria-label="Close execution" className="rounded-lg border border-blue-300 bg-blue-50 p-4">
      <h2 className="text-lg font-semibold">Close this execution</h2>
      <p className="text-sm text-slate-700">
        An execution is never abandoned silently: close it as resolved (every step of detection to verification recorded, none failed), escalated (say to whom),
        or aborted (say why).
      </p>
      {missing.length > 0 && <p className="mt-1 text-sm text-amber-900">Not resolvable yet: {missing.join("; ")}.</p>}
      <form
        aria-label="Close execution form"
        className="mt-2 flex flex-wrap items-end gap-3 text-sm"
        onSubmit={async (event) => {
          event.preventDefault();
          const f = new FormData(event.currentTarget);
          await close.mutateAsync({ outcome, note: String(f.get("note") ?? ""), expectedVersion: execution.version }).catch(() => {});
        }}
      >
        <label className="flex flex-col font-medium">
          Outcome
          <select
            value={outcome}
            onChange={(ev) => setOutcome(ev.target.value as ClosingOutcome)}
            className="rounded border border-slate-300 px-2 py-1"
            disabled={Boolean(denied)}
          >
            <option value="resolved">resolved</option>
            <option value="escalated">escalated</option>
            <option value="aborted">aborted</option>
          </select>
        </label>
        <label className="flex grow flex-col font-medium">
          Closing note
          <input name="note" className="rounded border border-slate-300 px-2 py-1" disabled={Boolean(denied)} />
        </label>
        <button
          type="submit"
          disabled={Boolean(denied) || close.isPending}
          title={denied ? `Not allowed: ${denied}` : undefined}
          className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white disabled:cursor-not-allowed disabled:opacity-40"
        >
          Close execution
        </button>
        {denied && <span className="text-xs text-slate-500">{denied}</span>}
      </form>
      <ErrorBox error={close.error} />
    </section>
  );
}
