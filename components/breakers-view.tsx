"use client";

import type { BreakerView } from "@/lib/breakers/list-breakers";
import { useLive } from "./api";
import { Empty, ErrorBox, Freshness, PageHeader, RelativeTime, utc } from "./ui";

const STATE_STYLE: Record<string, string> = {
  CLOSED: "border-slate-200 bg-white",
  HALF_OPEN: "border-amber-400 bg-amber-50",
  OPEN: "border-red-600 bg-red-50 ring-2 ring-red-600",
};

export function BreakersView({ initial }: { initial: BreakerView[] }) {
  const { data, error, dataUpdatedAt } = useLive<{ breakers: BreakerView[] }>(["breakers"], "/api/console/breakers", { breakers: initial });
  const breakers = [...(data?.breakers ?? initial)].sort((a, b) => b.stateValue - a.stateValue);
  return (
    <div>
      <PageHeader title="Circuit breakers">
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </PageHeader>
      <p className="mb-3 text-sm text-slate-600">
        CLOSED → OPEN after repeated failures in a window; HALF_OPEN after the cool-down lets one probe through. A worker whose breaker is open does no work and
        says so in its run.
      </p>
      <ErrorBox error={error} />
      {breakers.length === 0 ? (
        <Empty>No breaker has recorded anything yet: they appear once the workers, file store or webhook run.</Empty>
      ) : (
        <div className="grid gap-3 xl:grid-cols-2">
          {breakers.map((b) => (
            <section key={b.name} aria-label={`Breaker ${b.name}`} data-state={b.state} className={`rounded-lg border p-4 ${STATE_STYLE[b.state] ?? ""}`}>
              <h2 className="flex items-center justify-between font-semibold">
                <span className="font-mono">{b.name}</span>
                <span className={b.state === "OPEN" ? "text-red-700" : b.state === "HALF_OPEN" ? "text-amber-800" : "text-emerald-700"}>{b.state}</span>
              </h2>
              <dl className="mt-2 grid grid-cols-2 gap-x-4 text-sm">
                <dt className="text-slate-600">Failures in window</dt>
                <dd>{b.failureCount}</dd>
                <dt className="text-slate-600">Last error</dt>
                <dd className="break-words">{b.lastError ?? "—"}</dd>
                <dt className="text-slate-600">Opened</dt>
                <dd>
                  {b.openedAt ? (
                    <>
                      <RelativeTime value={b.openedAt} /> ({utc(b.openedAt)})
                    </>
                  ) : (
                    "—"
                  )}
                </dd>
                <dt className="text-slate-600">Next probe</dt>
                <dd>{b.nextAttemptAt ? utc(b.nextAttemptAt) : "—"}</dd>
              </dl>
              <details className="mt-2 text-sm">
                <summary className="cursor-pointer">History ({b.history.length})</summary>
                <ol className="mt-1 space-y-0.5">
                  {b.history.map((h) => (
                    <li key={h.id}>
                      <span className="font-mono text-xs text-slate-500">{utc(h.at)}</span> {h.from} → <strong>{h.to}</strong> {h.reason ? `— ${h.reason}` : ""}
                    </li>
                  ))}
                </ol>
              </details>
            </section>
          ))}
        </div>
      )}
    </div>
  );
}
