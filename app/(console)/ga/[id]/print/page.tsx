import Link from "next/link";
import { GaPrintButton } from "@/components/ga-print-button";
import { pool } from "@/lib/db/client";
import { LINE_LABEL } from "@/lib/ga/ga-rules";
import { CHECKLIST_ITEMS, GA_LINES } from "@/lib/ga/ga.schema";
import { getGaSignoffOrThrow } from "@/lib/ga/ga-signoffs";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

const ORDER = ["totalUploads", "errorRate", "p99Latency", "availability", "breakerEvents", "manualInterventions"] as const;
const RESULT = { pass: "PASS", fail: "FAIL", no_data: "NO DATA", info: "—" } as const;
const ts = (iso: string | null) => (iso ? iso.replace("T", " ").slice(0, 16) + " UTC" : "—");
const pct = (v: number | null, digits = 2) => (v === null ? "—" : `${(v * 100).toFixed(digits)} %`);

/** D8 §6.3 "GA SIGN-OFF FORM", print-friendly: plain tables, no charts, no console chrome on paper. */
export default consolePage({ permission: "console.view" }, async ({ params }) => {
  const form = await getGaSignoffOrThrow(pool(), params.id);
  const g = form.figures;
  return (
    <article className="mx-auto max-w-3xl bg-white p-6 text-sm text-black print:max-w-none print:p-0">
      <style>{`@media print { header:has(nav[aria-label="Console"]) { display: none !important; } body { background: white !important; } @page { margin: 16mm; } }`}</style>
      <div className="mb-4 flex items-center justify-between print:hidden">
        <Link href={`/ga/${form.id}`} className="text-blue-700 underline">
          ← Back to the form
        </Link>
        <GaPrintButton />
      </div>
      <h1 className="text-2xl font-bold">GA SIGN-OFF FORM</h1>
      <p>
        Window:{" "}
        <strong>
          {g.window.firstDay} … {g.window.lastDay}
        </strong>{" "}
        (7 days, UTC) · Phase completed: P4 (GA)
      </p>
      <p>
        Figures computed {ts(form.computedAt)} · snapshot sha256 <span className="font-mono text-xs">{form.figuresHash}</span>{" "}
        {form.snapshotIntact ? "(intact)" : "(DOES NOT MATCH)"}
      </p>

      <h2 className="mt-4 text-lg font-semibold">Metrics summary</h2>
      <table className="w-full border-collapse">
        <thead>
          <tr className="border-b border-black text-left">
            <th className="py-1">Criterion</th>
            <th className="py-1">Value</th>
            <th className="py-1">Target</th>
            <th className="py-1">Result</th>
          </tr>
        </thead>
        <tbody>
          {ORDER.map((key) => {
            const f = g.figures[key];
            return (
              <tr key={key} className="border-b border-slate-300">
                <td className="py-1">{f.label}</td>
                <td className="py-1 font-mono">{f.display}</td>
                <td className="py-1">{f.target}</td>
                <td className="py-1 font-semibold">{RESULT[f.status]}</td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <h2 className="mt-4 text-lg font-semibold">Daily trend</h2>
      <table className="w-full border-collapse">
        <thead>
          <tr className="border-b border-black text-left">
            <th className="py-1">Day</th>
            <th className="py-1">Processed</th>
            <th className="py-1">Failed</th>
            <th className="py-1">Error rate</th>
            <th className="py-1">p99 (min)</th>
            <th className="py-1">Availability</th>
            <th className="py-1">Breaker trips</th>
            <th className="py-1">Interventions</th>
          </tr>
        </thead>
        <tbody>
          {g.daily.map((d) => (
            <tr key={d.day} className="border-b border-slate-300 font-mono">
              <td className="py-1">{d.day}</td>
              <td className="py-1">{d.processed}</td>
              <td className="py-1">{d.failed}</td>
              <td className="py-1">{pct(d.errorRate)}</td>
              <td className="py-1">{d.p99Minutes ?? "—"}</td>
              <td className="py-1">{pct(d.availability, 3)}</td>
              <td className="py-1">{d.breakerTrips}</td>
              <td className="py-1">{d.interventions}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 className="mt-4 text-lg font-semibold">Qualitative criteria</h2>
      {form.checklist ? (
        <ul className="list-none space-y-1">
          {CHECKLIST_ITEMS.map((i) => (
            <li key={i.key}>
              {form.checklist![i.key].met ? "☑" : "☐"} {i.label}
              {form.checklist![i.key].note && <span className="text-slate-700"> — {form.checklist![i.key].note}</span>}
            </li>
          ))}
          <li className="text-xs text-slate-600">
            Filled in by {form.checklistBy} {ts(form.checklistAt)}
          </li>
        </ul>
      ) : (
        <p>Not filled in.</p>
      )}

      <h2 className="mt-4 text-lg font-semibold">Approvals</h2>
      <table className="w-full border-collapse">
        <tbody>
          {GA_LINES.map((line) => {
            const s = form.signatures.find((x) => x.line === line);
            return (
              <tr key={line} className="border-b border-slate-300 align-top">
                <td className="w-40 py-2 font-semibold">{LINE_LABEL[line]}:</td>
                <td className="py-2">
                  {s
                    ? `${s.signerName ? `${s.signerName} <${s.signerEmail}>` : s.signerEmail} — ${s.vote === "approve" ? "approved" : "deferred"}`
                    : "________________"}
                  {s?.note && <div className="text-xs text-slate-700">“{s.note}”</div>}
                </td>
                <td className="w-48 py-2">Date: {s ? ts(s.signedAt) : "________"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <h2 className="mt-4 text-lg font-semibold">Decision</h2>
      <p data-testid="print-decision">
        {form.status === "approved" ? "☑" : "☐"} GA APPROVED &nbsp; {form.status === "deferred" ? "☑" : "☐"} GA DEFERRED
        {form.status === "open" && " — pending"}
      </p>
      {form.status === "deferred" && (
        <>
          <p>If deferred, reason: {form.decisionReason}</p>
          <p>Re-review date: {form.reReviewOn}</p>
        </>
      )}
      {form.decidedAt && <p>Decided {ts(form.decidedAt)}</p>}
    </article>
  );
});
