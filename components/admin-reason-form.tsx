"use client";

import { useId, useRef, useState } from "react";
import { useAction } from "./api";
import type { Permission } from "./guarded-button";

const TONE = {
  danger: "bg-red-700 hover:bg-red-800 text-white",
  neutral: "bg-white border border-slate-400 hover:bg-slate-100 text-slate-900",
};

type Props = {
  /** What the button says, e.g. "Disable". */
  label: string;
  /** Whom it acts on, e.g. the user's email: part of the accessible name, since a table has one button per row. */
  target: string;
  permission?: Permission;
  tone?: keyof typeof TONE;
  description?: string;
  /** The console route that takes `{ reason }`. */
  path: string;
};

/**
 * A row action of the admin page: a button that opens a small form asking why. Escape or Cancel
 * closes it and puts the focus back on the button; a refusal shows in the form. Each row's form has
 * its own request state, so an error shows where it happened.
 */
export function AdminReasonForm(props: Props) {
  const id = useId();
  const action = useAction<{ reason: string }>(props.path);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const name = `${props.label} ${props.target}`;
  const denied = props.permission && !props.permission.allowed ? props.permission.reason : null;
  const close = () => {
    setOpen(false);
    requestAnimationFrame(() => button.current?.focus());
  };

  if (!open) {
    return (
      <span className="inline-flex flex-col">
        <button
          ref={button}
          type="button"
          aria-label={name}
          aria-describedby={denied ? `${id}-denied` : undefined}
          disabled={Boolean(denied)}
          onClick={() => setOpen(true)}
          className={`rounded px-2.5 py-1 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-40 ${TONE[props.tone ?? "neutral"]}`}
        >
          {props.label}
        </button>
        {denied && (
          <span id={`${id}-denied`} className="mt-0.5 text-xs text-slate-500">
            {denied}
          </span>
        )}
      </span>
    );
  }
  return (
    <form
      aria-label={name}
      className="flex w-72 flex-col gap-2 rounded-lg border border-slate-300 bg-white p-3 text-left shadow"
      onKeyDown={(event) => {
        if (event.key === "Escape") close();
      }}
      onSubmit={async (event) => {
        event.preventDefault();
        try {
          await action.mutateAsync({ reason: String(new FormData(event.currentTarget).get("reason") ?? "") });
          setOpen(false);
        } catch {
          // Shown below from the mutation's error.
        }
      }}
    >
      <p className="font-semibold">{name}</p>
      {props.description && <p className="text-sm text-slate-700">{props.description}</p>}
      <label className="text-sm font-medium">
        Reason
        <input name="reason" required minLength={3} maxLength={500} autoFocus className="mt-1 w-full rounded border border-slate-300 px-2 py-1" />
      </label>
      {action.error && (
        <p role="alert" className="rounded bg-red-50 px-2 py-1 text-sm text-red-800">
          {action.error.message}
        </p>
      )}
      <div className="flex gap-2">
        <button type="submit" disabled={action.isPending} className={`rounded px-3 py-1.5 text-sm font-semibold ${TONE[props.tone ?? "neutral"]}`}>
          {action.isPending ? "Working…" : `Confirm: ${props.label}`}
        </button>
        <button type="button" onClick={close} className="rounded px-3 py-1.5 text-sm">
          Cancel
        </button>
      </div>
    </form>
  );
}
