"use client";

import Link from "next/link";
import { useState } from "react";
import { SECTIONS } from "@/lib/launch/checklist";
import type { LaunchPage } from "@/lib/launch/launch-page";
import { useAction, useLive, type ApiError } from "./api";
import { GuardedButton, type Permission } from "./guarded-button";
import { Empty, ErrorBox, Freshness, PageHeader, RelativeTime, StatusBadge, utc } from "./ui";

const LEVEL_STYLE = { pass: "bg-emerald-100 text-emerald-800", warn: "bg-amber-100 text-amber-900", fail: "bg-red-100 text-red-800" } as const;
const LEVEL_TEXT = { pass: "PASS", warn: "WARN", fail: "FAIL" } as const;

export function LaunchView({ initial, canCheck, canDecide }: { initial: LaunchPage; canCheck: Permission; canDecide: Permission }) {
  const { data, error, dataUpdatedAt } = useLive<LaunchPage>(["launch"], "/api/console/launch", initial);
  const { status, health, handoff } = data ?? initial;

  return (
    <div className="space-y-5">
      <PageHeader title="Launch day (D8 §1–§3)">
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </PageHeader>
      <ErrorBox error={error} />
      <DecisionBanner status={status} />
      <div className="grid gap-5 2xl:grid-cols-[3fr_2fr]">
        <section aria-label="Day-0 checklist" className="rounded-lg border border-slate-200 bg-white p-3">
          <h2 className="text-lg font-semibold">Day-0 checklist</h2>
          <p className="text-sm text-slate-600">
            Checked live by the system where it can; the rest ticked by a named person.{" "}
            {status.open.length ? `${status.open.length} open.` : "Everything is done."}
          </p>
          {SECTIONS.map((section) => (
            <div key={section.id} className="mt-3">
              <h3 className="font-semibold">
                §{section.id} {section.title}
              </h3>
              <ul className="mt-1 divide-y text-sm">
                {status.checks
                  .filter((c) => c.section === section.id)
                  .map((c) => (
                    <li key={c.key} className="flex items-start gap-2 py-1.5" data-testid={`check-${c.key}`}>
                      <span className={`mt-0.5 w-12 shrink-0 rounded px-1 text-center text-xs font-bold ${LEVEL_STYLE[c.level]}`}>{LEVEL_TEXT[c.level]}</span>
                      <span>
                        <strong>{c.label}</strong> <span className="text-xs text-slate-500">(live)</span>
                        <span className="block text-slate-600">{c.detail}</span>
                      </span>
                    </li>
                  ))}
                {status.manual
                  .filter((m) => m.section === section.id)
                  .map((m) => (
                    <ManualItem key={m.key} item={m} permission={canCheck} />
                  ))}
              </ul>
            </div>
          ))}
          <details className="mt-3 text-sm">
            <summary className="cursor-pointer font-medium">The synthetic test upload (D8 §2.1 step 4)</summary>
            <pre className="mt-1 overflow-x-auto rounded bg-slate-900 p-2 text-xs text-slate-100">
              {`curl -H "Authorization: Bearer $API_KEY" -F workspace_id=<internal workspace> -F platform=meta \\\n  -F "file=@synthetic-small.csv" <console URL>/api/v1/uploads`}
            </pre>
          </details>
        </section>
        <div className="space-y-5">
          <DecisionForm status={status} permission={canDecide} />
          <Announcement text={status.announcement} />
        </div>
      </div>
      <div className="grid gap-5 xl:grid-cols-2">
        <HourlyHealthView health={health} />
        <HandoffView handoff={handoff} />
      </div>
    </div>
  );
}

function DecisionBanner({ status }: { status: LaunchPage["status"] }) {
  const d = status.decision;
  if (!d)
    return (
      <p className="rounded border border-slate-300 bg-slate-50 p-3 text-sm" data-testid="decision">
        No go/no-go decision recorded yet.
      </p>
    );
  const go = d.decision === "go";
  return (
    <p
      data-testid="decision"
      className={`rounded border p-3 text-sm ${go ? "border-emerald-400 bg-emerald-50 text-emerald-900" : "border-red-400 bg-red-50 text-red-900"}`}
    >
      <strong className="text-base">{go ? "GO" : "NO-GO"}</strong> decided by <strong>{d.by}</strong> at {utc(d.at)}: {d.reason}
    </p>
  );
}

function ManualItem({ item, permission }: { item: LaunchPage["status"]["manual"][number]; permission: Permission }) {
  const tick = useAction<{ item: string; checked: boolean; note: string | null }>("/api/console/launch/ticks");
  const [note, setNote] = useState("");
  const checked = !!item.tick?.checked;
  const noteLabel = "noteLabel" in item ? (item.noteLabel as string) : null;
  return (
    <li className="flex flex-wrap items-start gap-2 py-1.5" data-testid={`item-${item.key}`}>
      <span className={`mt-0.5 w-12 shrink-0 rounded px-1 text-center text-xs font-bold ${checked ? LEVEL_STYLE.pass : "bg-slate-100 text-slate-600"}`}>
        {checked ? "DONE" : "OPEN"}
      </span>
      <span className="min-w-0 flex-1">
        <strong>{item.label}</strong>
        {item.tick && (
          <span className="block text-slate-600">
            {checked ? "Ticked" : "Unticked"} by {item.tick.by} at {utc(item.tick.at)}
            {item.tick.note ? ` — ${item.tick.note}` : ""}
          </span>
        )}
        {tick.error && (
          <span role="alert" className="block text-red-800">
            {tick.error.message}
          </span>
        )}
      </span>
      {!checked && noteLabel && (
        <label className="text-xs">
          <span className="sr-only">
            {noteLabel} for {item.label}
          </span>
          <input
            value={note}
            onChange={(e) => setNote(e.target.value)}
            placeholder={noteLabel}
            className="w-36 rounded border border-slate-300 px-1.5 py-0.5"
          />
        </label>
      )}
      <GuardedButton
        label={checked ? `Untick: ${item.label}` : `Tick: ${item.label}`}
        permission={permission}
        onClick={() => tick.mutate({ item: item.key, checked: !checked, note: checked ? null : note || null })}
        className="border border-slate-400 bg-white text-xs text-slate-900 hover:bg-slate-100"
        align="end"
      />
    </li>
  );
}

function DecisionForm({ status, permission }: { status: LaunchPage["status"]; permission: Permission }) {
  const decide = useAction<{ decision: "go" | "no_go"; reason: string }>("/api/console/launch/decision");
  const [reason, setReason] = useState("");
  const goBlocked: Permission = !permission.allowed
    ? permission
    : status.open.length
      ? { allowed: false, reason: `${status.open.length} item(s) still open` }
      : permission;
  return (
    <section aria-label="Go/no-go" className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
      <h2 className="text-lg font-semibold">Go / no-go (D8 §1.5)</h2>
      {status.open.length > 0 && (
        <div className="mt-1 text-slate-700">
          Open before a go:
          <ul className="ml-5 list-disc" data-testid="open-items">
            {status.open.map((o) => (
              <li key={o}>{o}</li>
            ))}
          </ul>
        </div>
      )}
      <label className="mt-2 block font-medium">
        Reason (kept with the decision)
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} className="mt-1 w-full rounded border border-slate-300 px-2 py-1" />
      </label>
      <div className="mt-2 flex gap-3">
        <GuardedButton
          label="Record GO"
          permission={goBlocked}
          onClick={() => decide.mutate({ decision: "go", reason })}
          className="bg-emerald-700 text-white hover:bg-emerald-800"
        />
        <GuardedButton
          label="Record NO-GO"
          permission={permission}
          onClick={() => decide.mutate({ decision: "no_go", reason })}
          className="bg-red-700 text-white hover:bg-red-800"
        />
      </div>
      <ErrorText error={decide.error} />
    </section>
  );
}

function Announcement({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <section aria-label="Announcement" className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
      <h2 className="text-lg font-semibold">Announcement for #ingestion-rollout (D8 §2.3)</h2>
      <textarea
        readOnly
        value={text}
        rows={6}
        aria-label="Announcement text"
        className="mt-1 w-full rounded border border-slate-300 bg-slate-50 p-2 font-mono text-xs"
      />
      <button
        type="button"
        className="mt-1 rounded bg-slate-900 px-3 py-1.5 font-semibold text-white"
        onClick={() =>
          navigator.clipboard.writeText(text).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? "Copied" : "Copy announcement"}
      </button>
    </section>
  );
}

function HourlyHealthView({ health }: { health: LaunchPage["health"] }) {
  const target = (ok: boolean) => (
    <span className={`ml-2 rounded px-1 text-xs font-bold ${ok ? LEVEL_STYLE.pass : LEVEL_STYLE.fail}`}>{ok ? "ON TARGET" : "OFF TARGET"}</span>
  );
  return (
    <section aria-label="Hourly health check" className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
      <h2 className="text-lg font-semibold">Hourly health check (D8 §3.2)</h2>
      <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-2">
        <dt className="font-medium">Uploads, last hour</dt>
        <dd data-testid="health-uploads">
          {health.total === 0
            ? "None in the last hour."
            : health.uploads.map((u) => (
                <span key={u.status} className="mr-2">
                  <StatusBadge status={u.status} /> {u.n}
                </span>
              ))}
        </dd>
        <dt className="font-medium">Error rate</dt>
        <dd data-testid="health-error-rate">
          {health.errorRate.percent === null ? "— (no uploads)" : `${health.errorRate.percent.toFixed(1)} %`} · target &lt; 5 %{target(health.errorRate.ok)}
        </dd>
        <dt className="font-medium">Staging backlog</dt>
        <dd data-testid="health-backlog">
          {health.backlog.rows.toLocaleString("en-US")} rows · target &lt; 10,000{target(health.backlog.ok)}
        </dd>
        <dt className="font-medium">Circuit breakers</dt>
        <dd data-testid="health-breakers">
          {health.breakers.all.length ? health.breakers.all.map((b) => `${b.name} ${b.state}`).join(", ") : "none registered yet"} · expected all CLOSED
          {target(health.breakers.ok)}
        </dd>
      </dl>
    </section>
  );
}

function HandoffView({ handoff }: { handoff: LaunchPage["handoff"] }) {
  return (
    <section aria-label="Shift handoff" className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
      <h2 className="text-lg font-semibold">Shift handoff: the last {handoff.hours} hours</h2>
      <p className="mt-1">
        Mode <strong>{handoff.mode.toUpperCase()}</strong> · uploads{" "}
        {handoff.uploads.length ? handoff.uploads.map((u) => `${u.status} ${u.n}`).join(" · ") : "none"} · alerts opened {handoff.alertsOpened}, resolved{" "}
        {handoff.alertsResolved}
      </p>
      <h3 className="mt-3 font-semibold">Open now</h3>
      {handoff.openAlerts.length === 0 && handoff.stuck.length === 0 ? (
        <Empty>No open alert and no stuck upload.</Empty>
      ) : (
        <ul className="mt-1 space-y-1" data-testid="handoff-open">
          {handoff.openAlerts.map((a) => (
            <li key={a.id}>
              <span className="font-semibold uppercase">{a.severity}</span> {a.title} ({a.scenario}) · opened <RelativeTime value={a.openedAt} />
              {a.acknowledgedBy ? ` · acknowledged by ${a.acknowledgedBy}` : " · unacknowledged"}
              {a.escalated ? " · ESCALATED" : ""}
            </li>
          ))}
          {handoff.stuck.map((u) => (
            <li key={u.id}>
              Stuck:{" "}
              <Link className="text-blue-700 underline" href={`/uploads/${u.id}`}>
                {u.fileName}
              </Link>{" "}
              ({u.workspace}) {u.status} since {utc(u.since)}
            </li>
          ))}
        </ul>
      )}
      <h3 className="mt-3 font-semibold">Failed uploads</h3>
      {handoff.failed.length === 0 ? (
        <p className="text-slate-600">None.</p>
      ) : (
        <ul className="mt-1">
          {handoff.failed.map((u) => (
            <li key={u.id}>
              <Link className="text-blue-700 underline" href={`/uploads/${u.id}`}>
                {u.fileName}
              </Link>{" "}
              ({u.workspace}) {u.errorCode} at {utc(u.at)}
            </li>
          ))}
        </ul>
      )}
      <h3 className="mt-3 font-semibold">Actor actions</h3>
      {handoff.actions.length === 0 ? (
        <p className="text-slate-600">None.</p>
      ) : (
        <ul className="mt-1 space-y-0.5" data-testid="handoff-actions">
          {handoff.actions.map((a, i) => (
            <li key={i}>
              <span className="font-mono text-xs text-slate-500">{utc(a.at)}</span> <strong>{a.action}</strong> by {a.actor}
              {a.incidentId ? ` (${a.incidentId})` : ""}
              {a.reason ? ` — ${a.reason}` : ""}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ErrorText({ error }: { error: ApiError | null }) {
  return error ? (
    <p role="alert" className="mt-2 rounded bg-red-50 px-2 py-1 text-red-800">
      {error.message}
    </p>
  ) : null;
}
