"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import type { Figure, FigureStatus, GaDay, GaFigures } from "@/lib/ga/compute-ga-figures";
import { ChartCard } from "./chart-card";

const STATUS: Record<FigureStatus, { label: string; className: string }> = {
  pass: { label: "PASS", className: "bg-emerald-100 text-emerald-800" },
  fail: { label: "FAIL", className: "bg-red-100 text-red-800" },
  no_data: { label: "NO DATA", className: "bg-amber-100 text-amber-900" },
  info: { label: "INFO", className: "bg-slate-100 text-slate-700" },
};

export function FigureBadge({ status }: { status: FigureStatus }) {
  return <span className={`inline-block rounded px-2 py-0.5 text-xs font-bold ${STATUS[status].className}`}>{STATUS[status].label}</span>;
}

const ORDER = ["errorRate", "p99Latency", "availability", "breakerEvents", "manualInterventions", "totalUploads"] as const;

/** The D8 §6.1 figures as tiles: value, target, pass/fail and how each was computed. */
export function FigureTiles({ figures, testIdPrefix }: { figures: GaFigures; testIdPrefix: string }) {
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-3">
      {ORDER.map((key) => {
        const f: Figure = figures.figures[key];
        return (
          <section
            key={key}
            aria-label={f.label}
            data-testid={`${testIdPrefix}-${key}`}
            data-status={f.status}
            className={`rounded-lg border bg-white p-4 shadow-sm ${f.status === "fail" ? "border-red-400" : f.status === "no_data" ? "border-amber-400" : "border-slate-200"}`}
          >
            <div className="flex items-center justify-between gap-2">
              <h3 className="text-sm font-medium text-slate-600">{f.label}</h3>
              <FigureBadge status={f.status} />
            </div>
            <p className="mt-1 text-3xl font-semibold" data-testid={`${testIdPrefix}-${key}-value`}>
              {f.display}
            </p>
            <p className="text-sm text-slate-600">target {f.target}</p>
            <p className="mt-1 text-xs text-slate-600">{f.detail}</p>
          </section>
        );
      })}
    </div>
  );
}

/** The figures as a plain table (the signed snapshot, the print view). */
export function FigureTable({ figures, live, testIdPrefix }: { figures: GaFigures; live?: GaFigures | null; testIdPrefix: string }) {
  return (
    <table className="w-full border-collapse bg-white text-sm">
      <thead>
        <tr className="border-b text-left text-slate-600">
          <th className="p-2">Criterion</th>
          <th className="p-2">Value</th>
          <th className="p-2">Target</th>
          <th className="p-2">Result</th>
          {live && <th className="p-2 print:hidden">Live now</th>}
        </tr>
      </thead>
      <tbody>
        {ORDER.map((key) => {
          const f = figures.figures[key];
          const now = live?.figures[key];
          return (
            <tr key={key} className="border-b align-top">
              <th scope="row" className="p-2 text-left font-medium">
                {f.label}
                <div className="text-xs font-normal text-slate-500">{f.detail}</div>
              </th>
              <td className="p-2 font-mono" data-testid={`${testIdPrefix}-${key}`}>
                {f.display}
              </td>
              <td className="p-2">{f.target}</td>
              <td className="p-2">
                <FigureBadge status={f.status} />
              </td>
              {live && (
                <td className={`p-2 font-mono print:hidden ${now && now.display !== f.display ? "text-amber-800" : "text-slate-500"}`}>
                  {now ? `${now.display}${now.display !== f.display ? " (changed since the snapshot)" : ""}` : "—"}
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const pct = (digits: number) => (v: unknown) => (v === null || v === undefined ? "—" : `${(Number(v) * 100).toFixed(digits)} %`);

/** Daily trends of the window, each against its target. */
export function GaTrends({ daily, title }: { daily: GaDay[]; title: string }) {
  const data = daily.map((d) => ({ ...d, label: d.day.slice(5), completed: d.processed - d.failed }));
  const none = (pick: (d: GaDay) => number | null) => daily.every((d) => !pick(d));
  const noUploads = none((d) => d.processed) ? "No upload was processed in this window, so there is nothing to plot yet." : null;
  return (
    <section aria-label={title}>
      <h3 className="mb-2 font-semibold">{title}</h3>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <ChartCard height="h-52" title="Error rate per day (target < 1 %)" empty={noUploads}>
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis tickFormatter={pct(1)} domain={[0, (max: number) => Math.max(0.02, max)]} />
            <Tooltip formatter={pct(2)} />
            <ReferenceLine y={0.01} stroke="#dc2626" strokeDasharray="4 4" label="1 %" />
            <Line dataKey="errorRate" name="error rate" stroke="#dc2626" connectNulls isAnimationActive={false} />
          </LineChart>
        </ChartCard>
        <ChartCard height="h-52" title="p99 latency per day, minutes (target < 10)" empty={noUploads}>
          <BarChart data={data}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis domain={[0, (max: number) => Math.max(12, Math.ceil(max))]} />
            <Tooltip />
            <ReferenceLine y={10} stroke="#dc2626" strokeDasharray="4 4" label="10 min" />
            <Bar dataKey="p99Minutes" name="p99 (min)" fill="#6366f1" isAnimationActive={false} />
          </BarChart>
        </ChartCard>
        <ChartCard
          height="h-52"
          title="Availability per day (target > 99.5 %)"
          empty={
            daily.every((d) => d.availability === null)
              ? "No readiness samples in this window yet: availability is measured once a minute by the monitor."
              : null
          }
        >
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis tickFormatter={pct(1)} domain={[(min: number) => Math.min(0.99, min), 1]} />
            <Tooltip formatter={pct(3)} />
            <ReferenceLine y={0.995} stroke="#dc2626" strokeDasharray="4 4" label="99.5 %" />
            <Line dataKey="availability" name="availability" stroke="#059669" connectNulls isAnimationActive={false} />
          </LineChart>
        </ChartCard>
        <ChartCard
          height="h-52"
          title="Uploads processed, breaker trips and manual interventions per day"
          empty={
            noUploads && none((d) => d.breakerTrips) && none((d) => d.interventions)
              ? "No uploads, breaker trips or manual interventions in this window."
              : null
          }
        >
          <BarChart data={data}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            <Bar dataKey="completed" name="completed or partial" stackId="u" fill="#059669" isAnimationActive={false} />
            <Bar dataKey="failed" name="failed" stackId="u" fill="#dc2626" isAnimationActive={false} />
            <Bar dataKey="breakerTrips" name="breaker trips" fill="#d97706" isAnimationActive={false} />
            <Bar dataKey="interventions" name="interventions" fill="#7c3aed" isAnimationActive={false} />
          </BarChart>
        </ChartCard>
      </div>
    </section>
  );
}

/** Who intervened and which breakers tripped, so the PM can read the evidence behind the counts. */
export function GaEvidence({ figures }: { figures: GaFigures }) {
  return (
    <div className="grid gap-4 xl:grid-cols-2">
      <details className="rounded-lg border border-slate-200 bg-white p-3" open={figures.interventions.length > 0 && figures.interventions.length <= 10}>
        <summary className="cursor-pointer font-semibold">Manual interventions ({figures.figures.manualInterventions.value})</summary>
        {figures.interventions.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">None in the window.</p>
        ) : (
          <ul className="mt-2 space-y-1 text-sm">
            {figures.interventions.map((i, n) => (
              <li key={n}>
                <span className="font-mono text-xs text-slate-500">{i.at.replace("T", " ").slice(0, 19)}</span> <strong>{i.action}</strong> {i.target} by{" "}
                {i.actor}
                {i.incidentId && <span className="font-mono"> · {i.incidentId}</span>}
                {i.reason && <span className="text-slate-600"> — {i.reason}</span>}
              </li>
            ))}
          </ul>
        )}
      </details>
      <details className="rounded-lg border border-slate-200 bg-white p-3" open={figures.breakerTrips.length > 0 && figures.breakerTrips.length <= 10}>
        <summary className="cursor-pointer font-semibold">Circuit-breaker trips ({figures.figures.breakerEvents.value})</summary>
        {figures.breakerTrips.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">None in the window.</p>
        ) : (
          <ul className="mt-2 space-y-1 text-sm">
            {figures.breakerTrips.map((b, n) => (
              <li key={n}>
                <span className="font-mono text-xs text-slate-500">{b.at.replace("T", " ").slice(0, 19)}</span> <strong>{b.breaker}</strong> {b.from} → {b.to}
                {b.reason && <span className="text-slate-600"> — {b.reason}</span>}
              </li>
            ))}
          </ul>
        )}
      </details>
    </div>
  );
}
