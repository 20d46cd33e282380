"use client";

import Link from "next/link";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import type { Overview } from "@/lib/console/overview";
import { useLive } from "./api";
import { ErrorBox, Freshness, PageHeader, RelativeTime, Tile, type Level } from "./ui";
import { ChartCard } from "./chart-card";

const STATUS_COLORS: Record<string, string> = {
  completed: "#059669",
  partial: "#d97706",
  failed: "#dc2626",
  pending: "#94a3b8",
  processing: "#3b82f6",
  staged: "#6366f1",
  promoting: "#8b5cf6",
};
const hourLabel = (iso: string) => new Date(iso).toISOString().slice(11, 16);
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

export function OverviewView({ initial }: { initial: Overview }) {
  const { data, error, dataUpdatedAt } = useLive<Overview>(["overview"], "/api/console/overview", initial);
  const o = data ?? initial;
  const modeLevel: Level = o.mode.effective === "halted" ? "critical" : o.mode.effective === "draining" || o.frozen.length ? "warn" : "ok";
  const staleFeeds = o.freshness.filter((f) => f.level !== "ok");
  const freshLevel: Level = staleFeeds.some((f) => f.level === "critical") ? "critical" : staleFeeds.length ? "warn" : "ok";
  const total24 = Object.values(o.uploads24h).reduce((a, b) => a + b, 0);
  const errorSeries = o.charts.uploadsPerHour.map((h) => {
    const counts = Object.entries(h)
      .filter(([k]) => k !== "hour")
      .map(([, v]) => Number(v));
    const all = counts.reduce((a, b) => a + b, 0);
    return { hour: h.hour, rate: all ? Number(h.failed ?? 0) / all : 0 };
  });

  const noUploads = total24 === 0 && !o.charts.uploadsPerHour.some((h) => Object.entries(h).some(([k, v]) => k !== "hour" && Number(v) > 0));
  const uploadsEmpty = noUploads ? "No uploads in the last 24 hours: nothing to chart yet." : null;

  return (
    <div>
      <PageHeader title="What's red right now">
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </PageHeader>
      <ErrorBox error={error} />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-4">
        <Tile
          testId="tile-mode"
          title="Kill switch"
          level={modeLevel}
          value={o.mode.effective.toUpperCase()}
          detail={
            o.mode.envHalt ? (
              "Forced by INGESTION_ENABLED=false — the console cannot lift it."
            ) : o.mode.effective === "running" ? (
              o.frozen.length ? (
                `Frozen: ${o.frozen.join(", ")}`
              ) : (
                "All workers running."
              )
            ) : (
              <>
                Set by {o.mode.setBy} <RelativeTime value={o.mode.setAt} />
                {o.mode.incidentId ? ` (${o.mode.incidentId})` : ""}: {o.mode.reason ?? ""}
              </>
            )
          }
          href="/controls"
          action="Open controls"
        />
        <Tile
          testId="tile-error-rate"
          title="Error rate, last hour"
          level={o.errorRate.level}
          value={pct(o.errorRate.value)}
          detail={
            <>
              {o.errorRate.failed} of {o.errorRate.total} uploads failed. Warn 5 %, page 10 %
              {o.errorRate.rollbackAdvised && <strong className="block text-red-700">Above 20 %: roll back to the previous phase (D8 §4.2).</strong>}
            </>
          }
          href="/uploads?status=failed"
          action="See failed uploads"
        />
        <Tile
          testId="tile-stuck"
          title="Stuck uploads (> 30 min)"
          level={o.stuck.count > 0 ? "critical" : "ok"}
          value={o.stuck.count}
          detail={
            o.stuck.count ? (
              <>
                Oldest: {o.stuck.uploads[0]?.fileName} ({o.stuck.uploads[0]?.status} since <RelativeTime value={o.stuck.uploads[0]?.since} />)
              </>
            ) : (
              "Nothing stuck in a non-terminal state."
            )
          }
          href={o.stuck.uploads[0] ? `/uploads/${o.stuck.uploads[0].id}` : "/uploads"}
          action="Resume or force-fail it (runbook D10-10)"
        />
        <Tile
          testId="tile-backlog"
          title="Staging backlog"
          level={o.backlog.level}
          value={o.backlog.rows.toLocaleString("en-US")}
          detail={
            <>
              rows held; oldest <RelativeTime value={o.backlog.oldestAt} />. Warn &gt; 10 000, critical &gt; 500 000 or older than 7 days.
            </>
          }
          href="/staging"
          action="Review staging (D10-08)"
        />
        <Tile
          testId="tile-freshness"
          title="Data freshness"
          level={freshLevel}
          value={staleFeeds.length ? `${staleFeeds.length} stale` : "Fresh"}
          detail={
            staleFeeds.length
              ? staleFeeds
                  .slice(0, 3)
                  .map((f) => `${f.workspace}/${f.platform}: ${f.behindDays} days behind (expected ≤ ${f.expectedLagDays})`)
                  .join("; ")
              : "Every feed is within its expected lag."
          }
          href="/runbooks/wt-06-freshness"
          action="Investigate freshness (WT-06)"
        />
        <Tile
          testId="tile-breakers"
          title="Circuit breakers"
          level={o.breakers.some((b) => b.state === "OPEN") ? "critical" : o.breakers.some((b) => b.state === "HALF_OPEN") ? "warn" : "ok"}
          value={`${o.breakers.filter((b) => b.state !== "CLOSED").length} open`}
          detail={
            o.breakers
              .filter((b) => b.state !== "CLOSED")
              .map((b) => `${b.name} ${b.state}: ${b.lastError ?? ""}`)
              .join("; ") || `All ${o.breakers.length} closed.`
          }
          href="/breakers"
          action="See breakers"
        />
        <Tile
          testId="tile-uploads"
          title="Uploads, last 24 h"
          level="ok"
          value={total24}
          detail={
            Object.entries(o.uploads24h)
              .map(([s, n]) => `${s} ${n}`)
              .join(" · ") || "No uploads yet."
          }
        />
      </div>

      <h2 className="mt-6 text-lg font-semibold">Data freshness per workspace × platform</h2>
      <table className="mt-2 w-full max-w-3xl border-collapse bg-white text-sm">
        <thead>
          <tr className="border-b text-left text-slate-600">
            <th className="p-2">Workspace</th>
            <th className="p-2">Platform</th>
            <th className="p-2">Newest day in production</th>
            <th className="p-2">Lag (days)</th>
            <th className="p-2">Expected</th>
          </tr>
        </thead>
        <tbody>
          {o.freshness.length === 0 && (
            <tr>
              <td colSpan={5} className="p-2 text-slate-600">
                No production data yet: freshness starts with the first promoted upload.
              </td>
            </tr>
          )}
          {o.freshness.map((f) => (
            <tr
              key={`${f.workspace}-${f.platform}`}
              className={`border-b ${f.level === "critical" ? "bg-red-50 text-red-800" : f.level === "warn" ? "bg-amber-50" : ""}`}
            >
              <td className="p-2">{f.workspace}</td>
              <td className="p-2">{f.platform}</td>
              <td className="p-2 font-mono">{f.newestDate}</td>
              <td className="p-2">
                {f.behindDays}
                {f.skipWeekends ? " (weekdays)" : ""}
              </td>
              <td className="p-2">≤ {f.expectedLagDays}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="mt-6 grid grid-cols-1 gap-4 xl:grid-cols-2">
        <ChartCard title="Uploads per hour by status" empty={uploadsEmpty}>
          <BarChart data={o.charts.uploadsPerHour}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="hour" tickFormatter={hourLabel} />
            <YAxis allowDecimals={false} />
            <Tooltip labelFormatter={(v) => hourLabel(String(v))} />
            <Legend />
            {Object.keys(STATUS_COLORS).map((s) => (
              <Bar key={s} dataKey={s} stackId="s" fill={STATUS_COLORS[s]} isAnimationActive={false} />
            ))}
          </BarChart>
        </ChartCard>
        <ChartCard title="Error rate per hour (page at 10 %)" empty={uploadsEmpty && "No uploads in the last 24 hours, so no error rate to show."}>
          <LineChart data={errorSeries}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="hour" tickFormatter={hourLabel} />
            <YAxis tickFormatter={(v) => `${Math.round(v * 100)}%`} domain={[0, (max: number) => Math.max(0.25, max)]} />
            <Tooltip formatter={(v) => pct(Number(v))} labelFormatter={(v) => hourLabel(String(v))} />
            <Line dataKey="rate" stroke="#dc2626" dot={false} isAnimationActive={false} />
          </LineChart>
        </ChartCard>
        <ChartCard title="Staging backlog (rows)" empty={o.charts.backlog.length ? null : "No backlog samples yet: the monitor records one on each run."}>
          <AreaChart data={o.charts.backlog}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="at" tickFormatter={hourLabel} />
            <YAxis />
            <Tooltip labelFormatter={(v) => hourLabel(String(v))} />
            <Area dataKey="rows" stroke="#6366f1" fill="#c7d2fe" isAnimationActive={false} />
          </AreaChart>
        </ChartCard>
        <ChartCard
          title="Upload duration, created → finished (seconds)"
          empty={o.charts.durations.some((d) => d.p50 !== null) ? null : "No upload finished in the last 24 hours: no durations to show."}
        >
          <LineChart data={o.charts.durations}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="hour" tickFormatter={hourLabel} />
            <YAxis />
            <Tooltip labelFormatter={(v) => hourLabel(String(v))} />
            <Legend />
            <Line dataKey="p50" stroke="#059669" dot={false} isAnimationActive={false} />
            <Line dataKey="p99" stroke="#b91c1c" dot={false} isAnimationActive={false} />
          </LineChart>
        </ChartCard>
      </div>
      <p className="mt-4 text-sm text-slate-600">
        Stuck uploads:{" "}
        <Link className="underline" href="/uploads?status=processing">
          processing
        </Link>{" "}
        ·{" "}
        <Link className="underline" href="/uploads?status=promoting">
          promoting
        </Link>{" "}
        · the audit trail is on{" "}
        <Link className="underline" href="/audit">
          Audit
        </Link>
        .
      </p>
    </div>
  );
}
