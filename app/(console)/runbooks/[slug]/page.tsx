import Link from "next/link";
import { notFound } from "next/navigation";
import { OpenExecutions } from "@/components/runbook-open-executions";
import { RunbookStartForm } from "@/components/runbook-start-form";
import { StepBody } from "@/components/runbook-steps";
import { decide } from "@/lib/auth/permissions";
import { pool } from "@/lib/db/client";
import { CATALOG_VERSION, findRunbook } from "@/lib/runbooks/catalog";
import { listRunbookExecutions } from "@/lib/runbooks/runbook-executions";
import { consolePage } from "@/lib/http/console-page";

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
        <p className="text-sm text-slate-600">
          <span className="font-mono">{runbook.slug}</span> · {runbook.kind === "failure" ? "failure mode" : "procedure"} · sources {runbook.sources.join(", ")} · owner {runbook.owner} ·
          catalog {CATALOG_VERSION}
        </p>
        <p className="mt-2 max-w-4xl">{runbook.summary}</p>
        {runbook.hardStop && (
          <p className="mt-2 max-w-4xl rounded border border-red-300 bg-red-50 p-2 text-sm text-red-900">
            <strong>Hard stop:</strong> {runbook.hardStop}
          </p>
        )}
      </div>

      <section aria-label="Run this runbook" className="space-y-2">
        <h2 className="text-lg font-semibold">Run it</h2>
        <RunbookStartForm runbook={runbook.slug} permission={decide(user, "runbook.execute")} alertId={typeof alert === "string" ? alert : null} />
        {open.length > 0 && (
          <>
            <h3 className="font-semibold">Open executions of this runbook</h3>
            <OpenExecutions executions={JSON.parse(JSON.stringify(open))} />
          </>
        )}
      </section>

      {runbook.sections.map((s) => (
        <section key={s.section} aria-label={s.label} className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="text-lg font-semibold">{s.label}</h2>
          <ol className="mt-2 space-y-4">
            {s.steps.map((step) => (
              <li key={step.id}>
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
