"use client";

import { useState } from "react";
import type { Person, RosterView, Shift } from "@/lib/roster/roster";
import { useAction, useLive } from "./api";
import type { Permission } from "./guarded-button";
import { Empty, ErrorBox, Freshness, PageHeader, utc } from "./ui";

const who = (p: Person) => `${p.name?.trim() || p.email}${p.slackUserId ? ` · Slack ${p.slackUserId}` : " · no Slack ID"}`;
/** A UTC `datetime-local` value (the console types times in UTC). */
const local = (d: string | Date) => new Date(d).toISOString().slice(0, 16);

function ShiftForm(props: { candidates: Person[]; shift?: Shift; canEdit: Permission; onDone?: () => void }) {
  const create = useAction<Record<string, unknown>>(props.shift ? `/api/console/roster/${props.shift.id}` : "/api/console/roster");
  const now = new Date();
  const [startsAt, setStartsAt] = useState(props.shift ? local(props.shift.startsAt) : local(now));
  const [endsAt, setEndsAt] = useState(props.shift ? local(props.shift.endsAt) : local(new Date(now.getTime() + 12 * 3_600_000)));
  const [primaryId, setPrimary] = useState(props.shift?.primary.id ?? "");
  const [secondaryId, setSecondary] = useState(props.shift?.secondary.id ?? "");
  const denied = props.canEdit.allowed ? null : props.canEdit.reason;
  const select = (label: string, value: string, set: (v: string) => void) => (
    <label className="flex flex-col">
      {label}
      <select value={value} onChange={(e) => set(e.target.value)} required className="rounded border border-slate-300 px-2 py-1">
        <option value="">choose…</option>
        {props.candidates.map((c) => (
          <option key={c.id} value={c.id}>
            {who(c)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form
      aria-label={props.shift ? "Edit shift" : "Add a shift"}
      className="flex flex-wrap items-end gap-2 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          { startsAt, endsAt, primaryId, secondaryId, ...(props.shift ? { expectedVersion: props.shift.version } : {}) },
          { onSuccess: () => props.onDone?.() },
        );
      }}
    >
      <label className="flex flex-col">
        Starts (UTC)
        <input
          type="datetime-local"
          value={startsAt}
          onChange={(e) => setStartsAt(e.target.value)}
          required
          className="rounded border border-slate-300 px-2 py-1"
        />
      </label>
      <label className="flex flex-col">
        Ends (UTC)
        <input
          type="datetime-local"
          value={endsAt}
          onChange={(e) => setEndsAt(e.target.value)}
          required
          className="rounded border border-slate-300 px-2 py-1"
        />
      </label>
      {select("Primary", primaryId, setPrimary)}
      {select("Secondary", secondaryId, setSecondary)}
      <button
        disabled={Boolean(denied) || create.isPending}
        title={denied ? `Not allowed: ${denied}` : undefined}
        className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white disabled:opacity-40"
      >
        {props.shift ? "Save shift" : "Add shift"}
      </button>
      {denied && <span className="text-xs text-slate-500">Not allowed: {denied}</span>}
      <ErrorBox error={create.error} />
    </form>
  );
}

function SlackIdForm({ person, canEdit }: { person: Person; canEdit: Permission }) {
  const save = useAction<{ userId: string; slackUserId: string }>("/api/console/roster/slack");
  const [value, setValue] = useState(person.slackUserId ?? "");
  return (
    <form
      aria-label={`Slack member ID of ${person.email}`}
      className="flex items-center gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ userId: person.id, slackUserId: value });
      }}
    >
      <input
        value={value}
        onChange={(e) => setValue(e.target.value)}
        placeholder="U012AB3CD"
        aria-label={`Slack member ID for ${person.email}`}
        disabled={!canEdit.allowed}
        className="w-36 rounded border border-slate-300 px-2 py-1 font-mono text-xs"
      />
      <button disabled={!canEdit.allowed || save.isPending} className="rounded border border-slate-300 px-2 py-1 text-xs disabled:opacity-40">
        Save
      </button>
      <ErrorBox error={save.error} />
    </form>
  );
}

/** The On-call page (D10-06): who is primary and secondary now and next, edited by the SRE lead. */
export function OncallRoster({ initial, canEdit }: { initial: RosterView; canEdit: Permission }) {
  const { data, error, dataUpdatedAt } = useLive<RosterView>(["roster"], "/api/console/roster", initial);
  const view = data ?? initial;
  const [editing, setEditing] = useState<string | null>(null);
  const remove = useAction<{ id: string; expectedVersion: number }>((b) => `/api/console/roster/${b.id}/delete`);
  const people = new Map<string, Person>([...view.candidates, ...view.pms].map((p) => [p.id, p]));
  return (
    <div className="space-y-5">
      <PageHeader title="On-call roster">
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </PageHeader>
      <p className="max-w-4xl text-sm text-slate-600">
        An alert left unacknowledged for 15 minutes is escalated to the <strong>secondary</strong> of the shift in progress, by name (a Slack mention when their
        member ID is set), and every PM is informed (D10-06). Each message and what the webhook answered is on the alert&apos;s timeline. The SRE lead edits the
        roster; every change is audited.
      </p>
      <section aria-label="On call now" className={`rounded-lg border p-4 ${view.current ? "border-emerald-300 bg-white" : "border-red-600 bg-red-50"}`}>
        <h2 className="font-semibold">On call now</h2>
        {view.current ? (
          <p className="mt-1 text-sm" data-testid="oncall-now">
            Primary <strong>{who(view.current.primary)}</strong> · Secondary <strong>{who(view.current.secondary)}</strong> · until {utc(view.current.endsAt)}
          </p>
        ) : (
          <p className="mt-1 text-sm font-semibold text-red-800" data-testid="oncall-now">
            Nobody is on the roster right now: an escalation would reach no one by name. Add a shift below.
          </p>
        )}
        <p className="mt-1 text-xs text-slate-600">
          PMs informed of escalations: {view.pms.length ? view.pms.map(who).join(", ") : "none (no user holds the pm role)"}
        </p>
      </section>

      <section aria-label="Shifts" className="space-y-2">
        <h2 className="text-lg font-semibold">Shifts</h2>
        {view.shifts.length === 0 ? (
          <Empty>No shifts yet.</Empty>
        ) : (
          <table className="w-full border-collapse bg-white text-sm" aria-label="Shifts">
            <thead>
              <tr className="border-b text-left text-slate-600">
                <th className="p-2">From (UTC)</th>
                <th className="p-2">To (UTC)</th>
                <th className="p-2">Primary</th>
                <th className="p-2">Secondary</th>
                <th className="p-2">Last changed</th>
                <th className="p-2" />
              </tr>
            </thead>
            <tbody>
              {view.shifts.map((s) => (
                <tr key={s.id} className={`border-b align-top ${view.current?.id === s.id ? "bg-emerald-50" : ""}`}>
                  {editing === s.id ? (
                    <td colSpan={6} className="p-2">
                      <ShiftForm candidates={view.candidates} shift={s} canEdit={canEdit} onDone={() => setEditing(null)} />
                      <button type="button" className="mt-1 text-xs underline" onClick={() => setEditing(null)}>
                        Cancel
                      </button>
                    </td>
                  ) : (
                    <>
                      <td className="p-2">{utc(s.startsAt)}</td>
                      <td className="p-2">{utc(s.endsAt)}</td>
                      <td className="p-2">{who(s.primary)}</td>
                      <td className="p-2">{who(s.secondary)}</td>
                      <td className="p-2 text-xs text-slate-600">
                        {s.updatedBy} · {utc(s.updatedAt)}
                      </td>
                      <td className="p-2 text-right">
                        {canEdit.allowed && (
                          <span className="flex justify-end gap-2">
                            <button type="button" className="rounded border border-slate-300 px-2 py-1" onClick={() => setEditing(s.id)}>
                              Edit
                            </button>
                            <button
                              type="button"
                              className="rounded border border-red-300 px-2 py-1 text-red-800"
                              onClick={() => remove.mutate({ id: s.id, expectedVersion: s.version })}
                            >
                              Delete
                            </button>
                          </span>
                        )}
                      </td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ErrorBox error={remove.error} />
        <h3 className="font-semibold">Add a shift</h3>
        <ShiftForm candidates={view.candidates} canEdit={canEdit} />
      </section>

      <section aria-label="Slack member IDs" className="space-y-2">
        <h2 className="text-lg font-semibold">Slack member IDs</h2>
        <p className="text-sm text-slate-600">
          With an ID set, the escalation mentions the person (&lt;@U…&gt;) so Slack notifies them; without one they are named in plain text.
        </p>
        <ul className="space-y-1 text-sm">
          {[...people.values()].map((p) => (
            <li key={p.id} className="flex flex-wrap items-center gap-3">
              <span className="w-64">{p.name ? `${p.name} (${p.email})` : p.email}</span>
              <SlackIdForm person={p} canEdit={canEdit} />
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
