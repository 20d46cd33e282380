import Link from "next/link";
import { notFound } from "next/navigation";
import { Blocks, StepBody } from "@/components/runbook-markdown";
import { OpenExecutions } from "@/components/runbook-open-executions";
import { RunbookStartForm } from "@/components/runbook-start-form";
import { decideRunbook } from "@/lib/auth/permissions";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";
import { findRunbook } from "@/lib/runbooks/load-runbooks";
import { listRunbookExecutions } from "@/lib/runbooks/runbook-executions";
import { TYPE_LABEL } from "@/lib/runbooks/runbook-file";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user, params, searchParams }) => {
  const { slug } = params;
  const runbook = findRunbook(slug);
  if (!runbook) notFound();
  const alert = searchParams.alert;
  const open = await listRunbookExecutions(pool(), { runbook: slug, status: "open" });
  return (
    <div className="space-y-5">
      <div>
        <Link href="/runbooks" className="text-sm text-blue-700 underline">
          ← Runbooks
        </Link>
        <h1 className="mt-1 text-2xl font-semibold">{runbook.title}</h1>
        <p className="text-sm text-slate-600" data-testid="runbook-meta">
          <span className="font-mono">{runbook.slug}</span> · {TYPE_LABEL[runbook.type]} · scenarios {runbook.scenarios.join(", ")} · owner {runbook.owner} · severity{" "}
          {runbook.severity} · version {runbook.version} of {runbook.date} · <span className="font-mono">runbooks/{runbook.slug}.md</span>
        </p>
        <p className="mt-2 max-w-4xl">{runbook.summary}</p>
        {runbook.hard_stop && (
          <p className="mt-2 max-w-4xl rounded border border-red-300 bg-red-50 p-2 text-sm text-red-900">
            <strong>Hard stop:</strong> {runbook.hard_stop}
          </p>
        )}
        {runbook.intro.length > 0 && (
          <div className="mt-2 max-w-4xl space-y-2 text-sm">
            <Blocks blocks={runbook.intro} />
          </div>
        )}
      </div>

      <section aria-label="Run this runbook" className="space-y-2">
        <h2 className="text-lg font-semibold">Run it</h2>
        <RunbookStartForm runbook={runbook.slug} permission={decideRunbook(user, runbook.owner)} alertId={typeof alert === "string" ? alert : null} />
        {open.length > 0 && (
          <>
            <h3 className="font-semibold">Open executions of this runbook</h3>
            <OpenExecutions executions={JSON.parse(JSON.stringify(open))} />
          </>
        )}
      </section>

      {runbook.sections.map((s) => (
        <section key={s.key} aria-label={s.label} className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="text-lg font-semibold">
            {s.label}
            {!s.required && <span className="ml-2 text-sm font-normal text-slate-500">(only when needed)</span>}
          </h2>
          {s.intro.length > 0 && (
            <div className="mt-1 space-y-2 text-sm">
              <Blocks blocks={s.intro} />
            </div>
          )}
          <ol className="mt-2 space-y-4">
            {s.steps.map((step) => (
              <li key={step.id} data-testid={`runbook-step-${step.id}`}>
                <h3 className="font-semibold">
                  {step.id} {step.title}
                </h3>
                <StepBody step={step} />
              </li>
            ))}
          </ol>
        </section>
      ))}
    </div>
  );
});
