"use client";

import { useId, type Ref } from "react";

export type Permission = { allowed: true } | { allowed: false; reason: string };

/**
 * A button that is disabled when the permission refuses, with the reason shown beneath it (and read
 * out with it). The one refused-button of the console: every action button goes through it.
 */
export function GuardedButton({
  buttonRef,
  ...props
}: {
  label: string;
  permission: Permission;
  onClick?: () => void;
  className: string;
  align?: "start" | "end";
  type?: "button" | "submit";
  /** Disabled while the action runs, with this text in place of the label. */
  pendingLabel?: string | false;
  ariaLabel?: string;
  buttonRef?: Ref<HTMLButtonElement>;
}) {
  const id = useId();
  const denied = props.permission.allowed ? null : props.permission.reason;
  return (
    <span className={`inline-flex flex-col ${props.align === "end" ? "items-end print:hidden" : ""}`}>
      <button
        ref={buttonRef}
        type={props.type ?? "button"}
        aria-label={props.ariaLabel}
        disabled={Boolean(denied) || Boolean(props.pendingLabel)}
        title={denied ? `Not allowed: ${denied}` : undefined}
        aria-describedby={denied ? `${id}-denied` : undefined}
        onClick={props.onClick}
        className={`rounded px-3 py-1.5 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-40 ${props.className}`}
      >
        {props.pendingLabel || props.label}
      </button>
      {denied && (
        <span id={`${id}-denied`} className="mt-0.5 text-xs text-slate-500">
          {denied}
        </span>
      )}
    </span>
  );
}
