"use client";

import { useId } from "react";

export type Permission = { allowed: true } | { allowed: false; reason: string };

/** A button that is disabled when the permission refuses, with the reason shown beneath it. */
export function GuardedButton(props: { label: string; permission: Permission; onClick: () => void; className: string; align?: "start" | "end" }) {
  const id = useId();
  const denied = props.permission.allowed ? null : props.permission.reason;
  return (
    <span className={`inline-flex flex-col ${props.align === "end" ? "items-end print:hidden" : ""}`}>
      <button
        type="button"
        disabled={Boolean(denied)}
        title={denied ? `Not allowed: ${denied}` : undefined}
        aria-describedby={denied ? `${id}-denied` : undefined}
        onClick={props.onClick}
        className={`rounded px-3 py-1.5 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-40 ${props.className}`}
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
