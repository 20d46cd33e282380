import Link from "next/link";
import { OpenExecutions } from "@/components/runbook-open-executions";
import { Empty, PageHeader } from "@/components/ui";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";
import { listRunbooks } from "@/lib/runbooks/load-runbooks";
import { listOpenExecutions } from "@/lib/runbooks/runbook-executions";
import { RUNBOOK_TYPES, TYPE_LABEL } from "@/lib/runbooks/runbook-file";

export const dynamic = "force-dynamic";

const GROUP_TITLE = {
  failure: "Failure modes (D10, D8 alerts, WT-06): Detect → Diagnose → Recover → Verify → Document",
  task: "Operational tasks (D8 procedures, backup, configuration, restarts, secrets, scaling): Prerequisites → Steps → Verification → Rollback",
  escalation: "Escalation: when, to whom, with what",
  postmortem: "Postmortem template",
} as const;

export default consolePage({ permission: "console.view" }, async () => {
  const open = await listOpenExecutions(pool());
  const runbooks = listRunbooks();
  return (
    <div className="space-y-6">
      <PageHeader title="Runbooks">
        <Link href="/runbooks/executions" className="text-sm font-semibold text-blue-700 underline">
          Execution log →
        </Link>
      </PageHeader>
      <p className="max-w-4xl text-sm text-slate-700">
        Each runbook is a versioned Markdown file in the repository’s <code>runbooks/</code> folder. Every step is exact: it names the console page and button, or the
        command to run (SQL with <code>psql &quot;$DATABASE_URL&quot;</code>, shell in the repository folder) and the output you should see, and what to do if you don’t. The
        test suite runs every command against a migrated database. Start a runbook to record an execution (who, when, for which alert or incident, each step’s result, the
        runbook version); an open execution stays listed here until someone closes it with an outcome.
      </p>

      <section aria-label="Open executions" className="space-y-2">
        <h2 className="text-lg font-semibold">Open executions ({open.length})</h2>
        {open.length === 0 ? <Empty>No runbook execution is open.</Empty> : <OpenExecutions executions={JSON.parse(JSON.stringify(open))} />}
      </section>

      {RUNBOOK_TYPES.map((type) => (
        <section key={type} aria-label={TYPE_LABEL[type]}>
          <h2 className="text-lg font-semibold">{GROUP_TITLE[type]}</h2>
          <table className="mt-2 w-full border-collapse bg-white text-sm">
            <thead>
              <tr className="border-b text-left text-slate-600">
                <th className="p-2">Runbook</th>
                <th className="p-2">Scenarios</th>
                <th className="p-2">Owner</th>
                <th className="p-2">Version</th>
                <th className="p-2">When</th>
              </tr>
            </thead>
            <tbody>
              {runbooks
                .filter((r) => r.type === type)
                .map((r) => (
                  <tr key={r.slug} className="border-b align-top">
                    <td className="p-2">
                      <Link href={`/runbooks/${r.slug}`} className="font-semibold text-blue-700 underline">
                        {r.title}
                      </Link>
                      <div className="font-mono text-xs text-slate-500">{r.slug}</div>
                    </td>
                    <td className="p-2 whitespace-nowrap">{r.scenarios.join(", ")}</td>
                    <td className="p-2">{r.owner}</td>
                    <td className="p-2 whitespace-nowrap">
                      {r.version} · {r.date}
                    </td>
                    <td className="p-2 text-slate-700">{r.summary}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
});
