import Link from "next/link";
import type { How, RunbookStep } from "@/lib/runbooks/catalog";

/** Placeholders of the catalog filled from the execution (e.g. the alert's upload), or left as they are. */
export type StepVars = Partial<Record<"UPLOAD_ID" | "INCIDENT_ID" | "WORKSPACE", string>>;

export function fill(text: string, vars: StepVars = {}): string {
  return text.replace(/<(UPLOAD_ID|INCIDENT_ID|WORKSPACE)>/g, (whole, name: keyof StepVars) => vars[name] ?? whole);
}

const KIND_LABEL = { sql: "SQL (read-only)", jq: "jq over the JSON logs", shell: "Shell" } as const;

export function HowList({ how, vars }: { how: How[]; vars?: StepVars }) {
  return (
    <ul className="mt-1 space-y-1">
      {how.map((h, i) => {
        if (h.kind === "console") {
          const page = fill(h.page, vars);
          const linkable = !page.includes("<");
          return (
            <li key={i} className="text-sm">
              <span className="font-medium">Console:</span>{" "}
              {linkable ? (
                <Link href={page} className="font-mono text-blue-700 underline">
                  {page}
                </Link>
              ) : (
                <code className="font-mono">{page}</code>
              )}
              {h.action && (
                <>
                  {" "}
                  → <strong>“{fill(h.action, vars)}”</strong>
                </>
              )}
            </li>
          );
        }
        return (
          <li key={i} className="text-sm">
            <span className="font-medium">{KIND_LABEL[h.kind]}:</span>
            <pre className="mt-0.5 overflow-x-auto whitespace-pre-wrap rounded bg-slate-900 p-2 font-mono text-xs text-slate-100">{fill(h.text, vars)}</pre>
          </li>
        );
      })}
    </ul>
  );
}

/** One step as the catalog writes it: what to do, what performs it, what you should see, and what to do otherwise. */
export function StepBody({ step, vars }: { step: RunbookStep; vars?: StepVars }) {
  return (
    <div className="space-y-1 text-sm">
      <p>{fill(step.do, vars)}</p>
      {step.how && step.how.length > 0 && <HowList how={step.how} vars={vars} />}
      <p>
        <span className="font-medium text-emerald-800">Expect:</span> {fill(step.expect, vars)}
      </p>
      {step.ifNot && (
        <p>
          <span className="font-medium text-amber-800">If not:</span> {fill(step.ifNot, vars)}
        </p>
      )}
    </div>
  );
}

const RESULT_STYLE = { ok: "bg-emerald-100 text-emerald-800", failed: "bg-red-100 text-red-800", skipped: "bg-slate-200 text-slate-800" } as const;

export function ResultBadge({ result }: { result: keyof typeof RESULT_STYLE }) {
  return <span className={`inline-block rounded px-2 py-0.5 text-xs font-bold uppercase ${RESULT_STYLE[result]}`}>{result}</span>;
}

const STATUS_STYLE = { open: "bg-blue-100 text-blue-800", resolved: "bg-emerald-100 text-emerald-800", escalated: "bg-amber-100 text-amber-900", aborted: "bg-slate-200 text-slate-800" } as const;

export function ExecutionStatusBadge({ status }: { status: keyof typeof STATUS_STYLE }) {
  return <span className={`inline-block rounded px-2 py-0.5 text-xs font-bold uppercase ${STATUS_STYLE[status]}`}>{status}</span>;
}
