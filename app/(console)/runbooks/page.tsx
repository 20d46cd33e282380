import Link from "next/link";
import { OpenExecutions } from "@/components/runbook-open-executions";
import { Empty, PageHeader } from "@/components/ui";
import { pool } from "@/lib/db/client";
import { RUNBOOK_CATALOG } from "@/lib/runbooks/catalog";
import { listOpenExecutions } from "@/lib/runbooks/runbook-executions";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async () => {
  const open = await listOpenExecutions(pool());
  const groups = [
    { title: "Failure runbooks (D10, D8 alerts, WT-06)", kind: "failure" as const },
    { title: "Procedures (D8)", kind: "procedure" as const },
  ];
  return (
    <div className="space-y-6">
      <PageHeader title="Runbooks">
        <Link href="/runbooks/executions" className="text-sm font-semibold text-blue-700 underline">
          Execution log →
        </Link>
      </PageHeader>
      <p className="max-w-4xl text-sm text-slate-700">
        Every step is exact: it names the console page and button, or the read-only SQL / <code>jq</code> command that performs it, what you should see, and what to do if you
        don’t. Start a runbook to record an execution (who, when, for which alert or incident, each step’s result); an open execution stays listed here until someone closes it
        with an outcome. Changes are made only through console actions, which ask for a reason and an incident ID and are audited.
      </p>

      <section aria-label="Open executions" className="space-y-2">
        <h2 className="text-lg font-semibold">Open executions ({open.length})</h2>
        {open.length === 0 ? <Empty>No runbook execution is open.</Empty> : <OpenExecutions executions={JSON.parse(JSON.stringify(open))} />}
      </section>

      {groups.map((g) => (
        <section key={g.kind} aria-label={g.title}>
          <h2 className="text-lg font-semibold">{g.title}</h2>
          <table className="mt-2 w-full border-collapse bg-white text-sm">
            <thead>
              <tr className="border-b text-left text-slate-600">
                <th className="p-2">Runbook</th>
                <th className="p-2">Sources</th>
                <th className="p-2">Owner</th>
                <th className="p-2">When</th>
              </tr>
            </thead>
            <tbody>
              {RUNBOOK_CATALOG.filter((r) => r.kind === g.kind).map((r) => (
                <tr key={r.slug} className="border-b align-top">
                  <td className="p-2">
                    <Link href={`/runbooks/${r.slug}`} className="font-semibold text-blue-700 underline">
                      {r.title}
                    </Link>
                    <div className="font-mono text-xs text-slate-500">{r.slug}</div>
                  </td>
                  <td className="p-2 whitespace-nowrap">{r.sources.join(", ")}</td>
                  <td className="p-2">{r.owner}</td>
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
