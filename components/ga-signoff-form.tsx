"use client";

import Link from "next/link";
import { useState } from "react";
import type { GaFigures } from "@/lib/ga/compute-ga-figures";
import { LINE_LABEL, shortfalls } from "@/lib/ga/ga-rules";
import { CHECKLIST_ITEMS, GA_LINES, type Checklist, type GaLine } from "@/lib/ga/ga.schema";
import type { GaSignature, GaSignoff } from "@/lib/ga/ga-signoffs";
import type { Permission } from "./action-form";
import { useAction, useLive } from "./api";
import { FigureTable, GaEvidence, GaTrends } from "./ga-figures";
import { ErrorBox, Freshness, utc, useNow } from "./ui";
import { GuardedButton } from "./guarded-button";

export type GaPermissions = { lines: Record<GaLine, Permission>; edit: Permission };

export function GaDecision({ form }: { form: GaSignoff }) {
  const approvals = form.signatures.filter((s) => s.vote === "approve").length;
  return (
    <div
      data-testid="ga-decision"
      data-status={form.status}
      className={`rounded-lg border p-3 ${form.status === "approved" ? "border-emerald-500 bg-emerald-50" : form.status === "deferred" ? "border-amber-500 bg-amber-50" : "border-slate-300 bg-white"}`}
    >
      {form.status === "approved" && (
        <p className="text-lg font-semibold text-emerald-800">
          Decision: GA APPROVED <span className="text-sm font-normal">({utc(form.decidedAt)})</span>
        </p>
      )}
      {form.status === "deferred" && (
        <>
          <p className="text-lg font-semibold text-amber-900">
            Decision: GA DEFERRED <span className="text-sm font-normal">({utc(form.decidedAt)})</span>
          </p>
          <p className="text-sm">Reason: {form.decisionReason}</p>
          <p className="text-sm">Re-review date: {form.reReviewOn}</p>
        </>
      )}
      {form.status === "open" && (
        <p className="font-semibold">
          Decision pending: {approvals} of {GA_LINES.length} approvals. GA APPROVED needs all three lines; any line may defer.
        </p>
      )}
    </div>
  );
}

/** One sign-off form: its frozen snapshot, the PM's checklist, the three approval lines and the decision. */
export function GaSignoffForm({ initial, permissions, me, live }: { initial: GaSignoff; permissions: GaPermissions; me: string; live?: GaFigures | null }) {
  const { data, error, dataUpdatedAt } = useLive<GaSignoff>(["ga", initial.id], `/api/console/ga/${initial.id}`, initial);
  const form = data ?? initial;
  const recompute = useAction<{ lastDay: string; expectedVersion: number }>(`/api/console/ga/${form.id}/recompute`);
  const w = form.figures.window;
  const liveMatches = live && live.window.lastDay === w.lastDay ? live : null;
  const gaps = shortfalls(form);
  const editDenied = !permissions.edit.allowed ? permissions.edit.reason : form.frozen ? "frozen: someone signed" : null;

  return (
    <section aria-label="Sign-off form" className="space-y-4 rounded-lg border border-slate-300 bg-slate-50 p-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 className="text-xl font-semibold">
            GA sign-off form · {w.firstDay} … {w.lastDay}
          </h2>
          <p className="text-sm text-slate-600">
            Prepared by {form.createdBy} {utc(form.createdAt)} · figures computed {utc(form.computedAt)} · snapshot sha256{" "}
            <span className="font-mono">{form.figuresHash.slice(0, 12)}…</span>{" "}
            {form.snapshotIntact ? <span className="text-emerald-700">intact ✓</span> : <strong className="text-red-700">DOES NOT MATCH ITS HASH</strong>}
          </p>
          <p className="text-sm text-slate-700">
            {form.frozen
              ? "Frozen: these are the figures the form was signed on. Later data never changes them."
              : "Not signed yet: the PM can recompute the figures; the first signature freezes them."}
          </p>
        </div>
        <div className="flex flex-col items-end gap-1 print:hidden">
          <Freshness updatedAt={dataUpdatedAt} error={error} />
          <Link className="text-sm text-blue-700 underline" href={`/ga/${form.id}/print`}>
            Print view
          </Link>
        </div>
      </div>
      <ErrorBox error={error} />

      <div>
        <h3 className="mb-1 font-semibold">Quantitative criteria (snapshot)</h3>
        <FigureTable figures={form.figures} live={liveMatches} testIdPrefix="snapshot" />
        {!form.frozen && (
          <div className="mt-2 flex flex-wrap items-center gap-2 print:hidden">
            <button
              type="button"
              disabled={Boolean(editDenied) || recompute.isPending}
              title={editDenied ? `Not allowed: ${editDenied}` : undefined}
              onClick={() => recompute.mutate({ lastDay: live?.window.lastDay ?? w.lastDay, expectedVersion: form.version })}
              className="rounded border border-slate-400 bg-white px-3 py-1.5 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-40"
            >
              Recompute figures{live && live.window.lastDay !== w.lastDay ? ` for ${live.window.firstDay} … ${live.window.lastDay}` : ""}
            </button>
            {editDenied && <span className="text-xs text-slate-500">{editDenied}</span>}
            <ErrorBox error={recompute.error} />
          </div>
        )}
      </div>

      <GaTrends daily={form.figures.daily} title="Daily trend of the snapshot" />
      <GaEvidence figures={form.figures} />

      <ChecklistSection form={form} editDenied={editDenied} />

      <section aria-label="Approvals" className="space-y-2">
        <h3 className="font-semibold">Approvals</h3>
        {form.status === "open" && gaps.length > 0 && (
          <p className="rounded border border-amber-400 bg-amber-50 p-2 text-sm text-amber-900">
            Approving needs a note saying why, because: {gaps.join("; ")}.
          </p>
        )}
        <ul className="divide-y rounded-lg border border-slate-200 bg-white">
          {GA_LINES.map((line) => (
            <ApprovalLine key={line} line={line} form={form} permission={permissions.lines[line]} me={me} />
          ))}
        </ul>
      </section>
      <GaDecision form={form} />
    </section>
  );
}

function ChecklistSection({ form, editDenied }: { form: GaSignoff; editDenied: string | null }) {
  const save = useAction<{ checklist: Checklist; expectedVersion: number }>(`/api/console/ga/${form.id}/checklist`);
  const [saved, setSaved] = useState(false);
  const c = form.checklist;
  return (
    <section aria-label="Qualitative checklist" className="rounded-lg border border-slate-200 bg-white p-3">
      <h3 className="font-semibold">Qualitative criteria (D8 §6.1) — filled in by the Product Manager</h3>
      <p className="text-sm text-slate-600">
        Evidence from the window: {form.figures.context.pages} pages ({form.figures.context.pagesPerWeek} per week);{" "}
        {form.figures.context.runbookExecutionsResolved} runbook executions resolved; {form.figures.context.runbookExecutionsOpen} open now.
        {c && form.checklistBy ? ` Last saved by ${form.checklistBy} ${utc(form.checklistAt)}.` : " Not filled in yet: nobody can sign before it is."}
      </p>
      <form
        aria-label="Qualitative checklist form"
        className="mt-2 space-y-2"
        onSubmit={async (event) => {
          event.preventDefault();
          const f = new FormData(event.currentTarget);
          const checklist = Object.fromEntries(
            CHECKLIST_ITEMS.map((i) => [i.key, { met: f.get(`${i.key}-met`) === "yes", note: String(f.get(`${i.key}-note`) ?? "") }]),
          ) as Checklist;
          setSaved(false);
          await save.mutateAsync({ checklist, expectedVersion: form.version }).then(
            () => setSaved(true),
            () => {},
          );
        }}
      >
        <fieldset disabled={Boolean(editDenied)} className="space-y-2">
          {CHECKLIST_ITEMS.map((item) => (
            <fieldset key={`${item.key}-${form.version}`} className="flex flex-wrap items-center gap-3 rounded border border-slate-200 p-2">
              <legend className="px-1 text-sm font-medium">{item.label}</legend>
              <label className="flex items-center gap-1 text-sm">
                <input type="radio" name={`${item.key}-met`} value="yes" required defaultChecked={c?.[item.key].met === true} /> Met
              </label>
              <label className="flex items-center gap-1 text-sm">
                <input type="radio" name={`${item.key}-met`} value="no" defaultChecked={c?.[item.key].met === false} /> Not met
              </label>
              <label className="flex grow items-center gap-1 text-sm">
                Evidence
                <input name={`${item.key}-note`} defaultValue={c?.[item.key].note ?? ""} className="grow rounded border border-slate-300 px-2 py-1" />
              </label>
            </fieldset>
          ))}
        </fieldset>
        {!form.frozen && (
          <div className="flex items-center gap-2 print:hidden">
            <button
              type="submit"
              disabled={Boolean(editDenied) || save.isPending}
              title={editDenied ? `Not allowed: ${editDenied}` : undefined}
              className="rounded bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white disabled:cursor-not-allowed disabled:opacity-40"
            >
              Save checklist
            </button>
            {editDenied && <span className="text-xs text-slate-500">{editDenied}</span>}
            {saved && !save.error && (
              <span role="status" className="text-sm text-emerald-700">
                Checklist saved.
              </span>
            )}
          </div>
        )}
        <ErrorBox error={save.error} />
      </form>
    </section>
  );
}

function signature(form: GaSignoff, line: GaLine): GaSignature | undefined {
  return form.signatures.find((s) => s.line === line);
}

function ApprovalLine({ line, form, permission, me }: { line: GaLine; form: GaSignoff; permission: Permission; me: string }) {
  const now = useNow();
  const [open, setOpen] = useState(false);
  const [vote, setVote] = useState<"approve" | "defer">("approve");
  const sign = useAction<{ vote: string; note: string; reReviewOn: string | null; expectedVersion: number }>(`/api/console/ga/${form.id}/sign/${line}`);
  const label = `Sign as ${LINE_LABEL[line]}`;
  const signed = signature(form, line);
  const mine = form.signatures.find((s) => s.signerEmail === me);
  const denied = !permission.allowed
    ? permission.reason
    : form.status !== "open"
      ? "the form is decided"
      : mine
        ? `you signed the ${mine.lineLabel} line; each line needs a different person`
        : !form.checklistComplete
          ? "waiting for the Product Manager's checklist"
          : null;

  return (
    <li className="p-3" data-testid={`line-${line}`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="font-semibold">{LINE_LABEL[line]}</p>
          {signed ? (
            <p className="text-sm">
              {signed.vote === "approve" ? "Approved" : "Deferred"} by{" "}
              <strong>{signed.signerName ? `${signed.signerName} (${signed.signerEmail})` : signed.signerEmail}</strong> on {utc(signed.signedAt)}
              {signed.note && <span className="block text-slate-600">“{signed.note}”</span>}
            </p>
          ) : (
            <p className="text-sm text-slate-600">Not signed.</p>
          )}
        </div>
        {!signed && form.status === "open" && !open && (
          <GuardedButton
            label={label}
            permission={denied ? { allowed: false, reason: denied } : { allowed: true }}
            onClick={() => setOpen(true)}
            className="bg-slate-900 text-white"
            align="end"
          />
        )}
      </div>
      {open && !signed && (
        <form
          aria-label={label}
          className="mt-2 flex max-w-xl flex-col gap-2 rounded-lg border border-slate-300 bg-white p-3 shadow"
          onSubmit={async (event) => {
            event.preventDefault();
            const f = new FormData(event.currentTarget);
            try {
              await sign.mutateAsync({
                vote,
                note: String(f.get("note") ?? ""),
                reReviewOn: vote === "defer" ? String(f.get("reReviewOn") ?? "") || null : null,
                expectedVersion: form.version,
              });
              setOpen(false);
            } catch {
              // shown below
            }
          }}
        >
          <p className="font-semibold">{label}</p>
          <p className="text-sm text-slate-700">
            You sign the snapshot above (sha256 {form.figuresHash.slice(0, 12)}…) for {form.figures.window.firstDay} … {form.figures.window.lastDay}.
          </p>
          <fieldset className="flex gap-4 text-sm">
            <legend className="font-medium">Vote</legend>
            <label className="flex items-center gap-1">
              <input type="radio" name="vote" value="approve" checked={vote === "approve"} onChange={() => setVote("approve")} /> Approve GA
            </label>
            <label className="flex items-center gap-1">
              <input type="radio" name="vote" value="defer" checked={vote === "defer"} onChange={() => setVote("defer")} /> Defer GA
            </label>
          </fieldset>
          <label className="text-sm font-medium">
            Note
            <textarea name="note" rows={2} className="mt-1 w-full rounded border border-slate-300 px-2 py-1" />
            <span className="block text-xs font-normal text-slate-500">Required to defer (the reason) or to approve despite a shortfall.</span>
          </label>
          {vote === "defer" && (
            <label className="text-sm font-medium">
              Re-review date
              <input
                name="reReviewOn"
                type="date"
                required
                min={now === null ? undefined : new Date(now + 86_400_000).toISOString().slice(0, 10)}
                className="mt-1 block rounded border border-slate-300 px-2 py-1"
              />
            </label>
          )}
          <ErrorBox error={sign.error} />
          <div className="flex gap-2">
            <button type="submit" disabled={sign.isPending} className="rounded bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white">
              {sign.isPending ? "Signing…" : `Confirm: ${label}`}
            </button>
            <button type="button" onClick={() => setOpen(false)} className="rounded px-3 py-1.5 text-sm">
              Cancel
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
