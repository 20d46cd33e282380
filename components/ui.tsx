"use client";

import Link from "next/link";
import { useSyncExternalStore } from "react";

export type Level = "ok" | "warn" | "critical";

const LEVEL_STYLE: Record<Level, string> = {
  ok: "border-emerald-200 bg-white",
  warn: "border-amber-400 bg-amber-50",
  critical: "border-red-600 bg-red-50 ring-2 ring-red-600",
};
const LEVEL_TEXT: Record<Level, string> = { ok: "text-emerald-700", warn: "text-amber-800", critical: "text-red-700" };
const LEVEL_LABEL: Record<Level, string> = { ok: "OK", warn: "WARN", critical: "CRITICAL" };

/** A status tile: what it measures, its value, what the level means and where to act. */
export function Tile(props: {
  title: string;
  value: React.ReactNode;
  level: Level;
  detail?: React.ReactNode;
  href?: string;
  action?: string;
  testId?: string;
}) {
  return (
    <section
      data-testid={props.testId}
      data-level={props.level}
      aria-label={props.title}
      className={`flex flex-col rounded-lg border p-4 shadow-sm ${LEVEL_STYLE[props.level]} ${props.level === "critical" ? "order-first" : ""}`}
    >
      <div className="flex items-center justify-between gap-2">
        <h2 className="text-sm font-medium text-slate-600">{props.title}</h2>
        <span className={`rounded px-1.5 py-0.5 text-xs font-bold ${LEVEL_TEXT[props.level]}`}>{LEVEL_LABEL[props.level]}</span>
      </div>
      <div className={`mt-1 text-3xl font-semibold ${props.level === "ok" ? "text-slate-900" : LEVEL_TEXT[props.level]}`}>{props.value}</div>
      {props.detail && <div className="mt-1 text-sm text-slate-700">{props.detail}</div>}
      {props.href && props.level !== "ok" && (
        <Link href={props.href} className="mt-2 text-sm font-semibold text-blue-700 underline">
          {props.action ?? "Open"} →
        </Link>
      )}
    </section>
  );
}

const STATUS_STYLE: Record<string, string> = {
  pending: "bg-slate-100 text-slate-800",
  processing: "bg-blue-100 text-blue-800",
  staged: "bg-indigo-100 text-indigo-800",
  promoting: "bg-violet-100 text-violet-800",
  completed: "bg-emerald-100 text-emerald-800",
  partial: "bg-amber-100 text-amber-900",
  failed: "bg-red-100 text-red-800",
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`inline-block rounded px-2 py-0.5 text-xs font-semibold ${STATUS_STYLE[status] ?? "bg-slate-100"}`}>{status}</span>;
}

export function timeAgo(value: string | Date | null | undefined, now = Date.now()): string {
  if (!value) return "—";
  const seconds = Math.round((now - new Date(value).getTime()) / 1000);
  if (seconds < 60) return `${Math.max(seconds, 0)}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86_400)}d ago`;
}

export function utc(value: string | Date | null | undefined): string {
  return value ? new Date(value).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "—";
}

/**
 * "5m ago" that hydrates without a mismatch: the server and the browser's first render both show the
 * absolute UTC time (the server's clock and the browser's differ, and time passes between them); the
 * relative text replaces it once mounted, and keeps up every 15 s. The absolute time stays in the title.
 */
export function RelativeTime({ value }: { value: string | Date | null | undefined }) {
  const now = useNow();
  if (!value) return <>—</>;
  return (
    <time dateTime={new Date(value).toISOString()} title={utc(value)}>
      {now === null ? utc(value) : timeAgo(value, now)}
    </time>
  );
}

// One clock for every relative time on screen, ticking each second while anything shows one.
let clockNow = 0;
const clockListeners = new Set<() => void>();
let clockTimer: ReturnType<typeof setInterval> | undefined;
function subscribeClock(listener: () => void) {
  clockListeners.add(listener);
  if (!clockTimer) {
    clockNow = Date.now();
    clockTimer = setInterval(() => {
      clockNow = Date.now();
      for (const l of clockListeners) l();
    }, 1000);
  }
  return () => {
    clockListeners.delete(listener);
    if (clockListeners.size === 0 && clockTimer) {
      clearInterval(clockTimer);
      clockTimer = undefined;
    }
  };
}

/**
 * The browser's clock, or null while rendering on the server and hydrating: anything computed from
 * "now" renders the same on both sides, then updates once mounted (no hydration mismatch).
 */
export function useNow(): number | null {
  return useSyncExternalStore(
    subscribeClock,
    () => (clockNow ||= Date.now()),
    () => null,
  );
}

/** "updated Ns ago" for a live query; turns red when refreshing fails. */
export function Freshness({ updatedAt, error }: { updatedAt: number; error?: unknown }) {
  const now = useNow();
  const seconds = updatedAt && now !== null ? Math.max(0, Math.round((now - updatedAt) / 1000)) : null;
  return (
    <span role="status" className={`text-xs ${error ? "font-semibold text-red-700" : "text-slate-500"}`}>
      {error ? `Refresh failed: ${(error as Error).message} — ` : ""}
      {seconds === null ? "loading…" : `updated ${seconds}s ago`}
    </span>
  );
}

export function PageHeader({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <div className="flex items-center gap-3">{children}</div>
    </div>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
      {(error as Error).message}
    </p>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-center text-sm text-slate-600">{children}</p>;
}

/** A table's column headings, the last without the gap the others keep to their right. */
export function ColumnHeads({ columns }: { columns: readonly string[] }) {
  return (
    <thead className="border-b border-slate-300 text-slate-600">
      <tr>
        {columns.map((c, i) => (
          <th key={c} scope="col" className={i < columns.length - 1 ? "py-2 pr-3" : "py-2"}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** A filter drop-down whose empty choice means "any". */
export function FilterSelect({ name, label, value, options }: { name: string; label: string; value?: string | null; options: readonly string[] }) {
  return (
    <label className="flex flex-col">
      {label}
      <select name={name} defaultValue={value ?? ""} className="rounded border border-slate-300 px-2 py-1">
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}
