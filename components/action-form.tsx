"use client";

import { useId, useRef, useState } from "react";
import type { ApiError } from "./api";
import { GuardedButton, type Permission } from "./guarded-button";

export type { Permission } from "./guarded-button";

type Props = {
  /** What the button says, e.g. "Halt ingestion". */
  label: string;
  /** Whom it acts on, where a table has one button per row (e.g. a user's email): part of the accessible name. */
  target?: string;
  /** Actor actions name an incident (D10-05); account administration asks only why. */
  withIncident?: boolean;
  permission: Permission;
  onSubmit: (fields: { reason: string; incidentId: string; expiresAt: string | null; severity: string | null }) => Promise<unknown>;
  error?: ApiError | null;
  pending?: boolean;
  tone?: "danger" | "primary" | "neutral";
  withExpiry?: boolean;
  withSeverity?: boolean;
  description?: React.ReactNode;
  /** The server's INCIDENT_ID_PATTERN in words, shown under the Incident ID field. */
  incidentIdFormat?: { example: string | null; hint: string };
};

const TONE = {
  danger: "bg-red-700 hover:bg-red-800 text-white",
  primary: "bg-slate-900 hover:bg-slate-800 text-white",
  neutral: "bg-white border border-slate-400 hover:bg-slate-100 text-slate-900",
};

/**
 * Every operator action: a button that opens a small form asking for the reason and the incident ID
 * (and, where it applies, "resume automatically at"). Disabled with the reason when not allowed.
 */
export function ActionForm(props: Props) {
  const [open, setOpen] = useState(false);
  const hintId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const name = props.target ? `${props.label} ${props.target}` : props.label;
  const withIncident = props.withIncident ?? true;
  const close = () => {
    setOpen(false);
    requestAnimationFrame(() => button.current?.focus());
  };
  if (!open) {
    return (
      <GuardedButton
        buttonRef={button}
        label={props.label}
        ariaLabel={props.target ? name : undefined}
        permission={props.permission}
        onClick={() => setOpen(true)}
        className={TONE[props.tone ?? "primary"]}
      />
    );
  }
  return (
    <form
      aria-label={name}
      className="flex w-full max-w-md flex-col gap-2 rounded-lg border border-slate-300 bg-white p-3 text-left shadow"
      onKeyDown={(event) => {
        if (event.key === "Escape") close();
      }}
      onSubmit={async (event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const expires = String(form.get("expiresAt") ?? "");
        try {
          await props.onSubmit({
            reason: String(form.get("reason") ?? ""),
            incidentId: String(form.get("incidentId") ?? ""),
            expiresAt: expires ? new Date(expires).toISOString() : null,
            severity: form.get("severity") ? "P1" : null,
          });
          close();
        } catch {
          // The error is shown below from the mutation state.
        }
      }}
    >
      <p className="font-semibold">{name}</p>
      {props.description && <div className="text-sm text-slate-700">{props.description}</div>}
      <label className="text-sm font-medium">
        Reason
        <input name="reason" required minLength={3} autoFocus className="mt-1 w-full rounded border border-slate-300 px-2 py-1" />
      </label>
      {withIncident && (
        <>
          <label className="text-sm font-medium">
            Incident ID
            <input
              name="incidentId"
              required
              placeholder={props.incidentIdFormat ? (props.incidentIdFormat.example ?? "") : "INC-1234"}
              aria-describedby={props.incidentIdFormat ? hintId : undefined}
              className="mt-1 w-full rounded border border-slate-300 px-2 py-1 font-mono"
            />
          </label>
          {props.incidentIdFormat && (
            <span id={hintId} className="-mt-1 text-xs text-slate-600">
              Expected form: an ID {props.incidentIdFormat.hint}.
            </span>
          )}
        </>
      )}
      {props.withExpiry && (
        <label className="text-sm font-medium">
          Resume automatically at (optional)
          <input name="expiresAt" type="datetime-local" className="mt-1 w-full rounded border border-slate-300 px-2 py-1" />
        </label>
      )}
      {props.withSeverity && (
        <label className="flex items-center gap-2 text-sm">
          <input name="severity" type="checkbox" value="P1" /> This is a declared P1 incident
        </label>
      )}
      {props.error && (
        <p role="alert" className="rounded bg-red-50 px-2 py-1 text-sm text-red-800">
          {props.error.message}
        </p>
      )}
      <div className="flex gap-2">
        <button type="submit" disabled={props.pending} className={`rounded px-3 py-1.5 text-sm font-semibold ${TONE[props.tone ?? "primary"]}`}>
          {props.pending ? "Working…" : `Confirm: ${props.label}`}
        </button>
        <button type="button" onClick={close} className="rounded px-3 py-1.5 text-sm">
          Cancel
        </button>
      </div>
    </form>
  );
}
