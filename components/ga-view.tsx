"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import type { GaFigures } from "@/lib/ga/compute-ga-figures";
import type { GaSignoff } from "@/lib/ga/ga-signoffs";
import type { Permission } from "./action-form";
import { useAction, useLive } from "./api";
import { FigureTiles, GaEvidence, GaTrends } from "./ga-figures";
import { GaSignoffForm, type GaPermissions } from "./ga-signoff-form";
import { Empty, ErrorBox, PageHeader, utc } from "./ui";

type Props = {
  figures: GaFigures | null;
  figuresError: string | null;
  lastDay: string;
  today: string;
  open: GaSignoff | null;
  /** Every form, the open one included: the history below stays live (a decision shows at once). */
  forms: GaSignoff[];
  permissions: GaPermissions & { prepare: Permission };
  me: string;
};

const STATUS_LABEL = { open: "open", approved: "GA APPROVED", deferred: "GA DEFERRED" } as const;

/** The GA sign-off page (D8 §6): live figures for a chosen window, the open form, and past decisions. */
export function GaView({ figures, figuresError, lastDay, today, open, forms, permissions, me }: Props) {
  const router = useRouter();
  const history = (useLive<GaSignoff[]>(["ga"], "/api/console/ga", forms).data ?? forms).filter((f) => f.status !== "open");
  const prepare = useAction<{ lastDay: string }, GaSignoff>("/api/console/ga");
  const denied = !permissions.prepare.allowed ? permissions.prepare.reason : null;

  return (
    <div className="space-y-6">
      <PageHeader title="GA sign-off (D8 §6)">
        <form className="flex items-end gap-2 text-sm" aria-label="Choose the window">
          <label className="flex flex-col">
            Last day of the 7-day window (UTC)
            <input type="date" name="lastDay" defaultValue={lastDay} max={today} className="rounded border border-slate-300 px-2 py-1" />
          </label>
          <button className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white">Show figures</button>
        </form>
      </PageHeader>

      <section aria-label="Live figures" className="space-y-3">
        {figures ? (
          <>
            <h2 className="text-lg font-semibold">
              Live figures for {figures.window.firstDay} … {figures.window.lastDay}{" "}
              <span
                className={`ml-2 rounded px-2 py-0.5 text-sm ${figures.allPass ? "bg-emerald-100 text-emerald-800" : "bg-red-100 text-red-800"}`}
                data-testid="live-verdict"
              >
                {figures.allPass ? "all criteria pass" : "not all criteria pass"}
              </span>
            </h2>
            <p className="text-sm text-slate-600">
              Computed from the data at {utc(figures.computedAt)}; reload to recompute. A signed form keeps the figures it was signed on.
            </p>
            <FigureTiles figures={figures} testIdPrefix="live" />
            <GaTrends daily={figures.daily} title="Daily trend (live)" />
            <GaEvidence figures={figures} />
          </>
        ) : (
          <ErrorBox error={new Error(figuresError ?? "The figures could not be computed.")} />
        )}
      </section>

      {open ? (
        <GaSignoffForm key={open.id} initial={open} permissions={permissions} me={me} live={figures} />
      ) : (
        <section aria-label="Sign-off form" className="rounded-lg border border-dashed border-slate-300 bg-white p-4">
          <h2 className="text-lg font-semibold">No sign-off form is open</h2>
          <p className="text-sm text-slate-600">
            The Product Manager prepares the form for the window above. Its figures are stored with it; the first signature freezes them.
          </p>
          <div className="mt-2 flex items-center gap-2">
            <button
              type="button"
              disabled={Boolean(denied) || !figures || prepare.isPending}
              title={denied ? `Not allowed: ${denied}` : undefined}
              onClick={() => prepare.mutate({ lastDay }, { onSuccess: () => router.refresh() })}
              className="rounded bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white disabled:cursor-not-allowed disabled:opacity-40"
            >
              Prepare sign-off form
            </button>
            {denied && <span className="text-xs text-slate-500">{denied}</span>}
          </div>
          <ErrorBox error={prepare.error} />
        </section>
      )}

      <section aria-label="Sign-off history">
        <h2 className="text-lg font-semibold">History of sign-offs</h2>
        {history.length === 0 ? (
          <Empty>No sign-off has been decided yet.</Empty>
        ) : (
          <table className="mt-2 w-full border-collapse bg-white text-sm">
            <thead>
              <tr className="border-b text-left text-slate-600">
                <th className="p-2">Window</th>
                <th className="p-2">Decision</th>
                <th className="p-2">Decided</th>
                <th className="p-2">Signed by</th>
                <th className="p-2">Re-review</th>
                <th className="p-2">Record</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id} className="border-b">
                  <td className="p-2 font-mono">
                    {h.figures.window.firstDay} … {h.figures.window.lastDay}
                  </td>
                  <td className={`p-2 font-semibold ${h.status === "approved" ? "text-emerald-700" : h.status === "deferred" ? "text-amber-800" : ""}`}>
                    {STATUS_LABEL[h.status]}
                  </td>
                  <td className="p-2">{utc(h.decidedAt)}</td>
                  <td className="p-2">{h.signatures.map((s) => `${s.lineLabel}: ${s.signerEmail} (${s.vote})`).join("; ") || "—"}</td>
                  <td className="p-2">{h.reReviewOn ?? "—"}</td>
                  <td className="p-2">
                    <Link className="text-blue-700 underline" href={`/ga/${h.id}`}>
                      View
                    </Link>{" "}
                    ·{" "}
                    <Link className="text-blue-700 underline" href={`/ga/${h.id}/print`}>
                      Print
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
