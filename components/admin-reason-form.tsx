"use client";

import { ActionForm, type Permission } from "./action-form";
import { useAction } from "./api";
import { RelativeTime } from "./ui";

/**
 * A row action of the admin page (disable a user, revoke a key): the operator action form asking only
 * why, posting `{ reason }` to its console route. Each row has its own request state, so an error shows
 * where it happened.
 */
export function AdminReasonForm(props: {
  /** What the button says, e.g. "Disable". */
  label: string;
  /** Whom it acts on, e.g. the user's email. */
  target: string;
  permission?: Permission;
  tone?: "danger" | "neutral";
  description?: string;
  /** The console route that takes `{ reason }`. */
  path: string;
}) {
  const action = useAction<{ reason: string }>(props.path);
  return (
    <ActionForm
      label={props.label}
      target={props.target}
      withIncident={false}
      permission={props.permission ?? { allowed: true }}
      tone={props.tone ?? "neutral"}
      description={props.description}
      error={action.error}
      pending={action.isPending}
      onSubmit={({ reason }) => action.mutateAsync({ reason })}
    />
  );
}

/** "Active", or who withdrew the access (a disabled user, a revoked key), when and why. */
export function AccessStatus({ withdrawn, label }: { withdrawn: { at: string | Date; by: string | null; reason: string | null } | null; label: string }) {
  if (!withdrawn) return <span className="font-semibold text-emerald-700">Active</span>;
  return (
    <>
      <span className="font-semibold text-red-700">{label}</span>
      <div className="text-xs">
        by {withdrawn.by} <RelativeTime value={withdrawn.at} /> · &ldquo;{withdrawn.reason}&rdquo;
      </div>
    </>
  );
}
