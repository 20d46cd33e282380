import type pg from "pg";
import { incidentIdFormat } from "@/lib/audit/accountable";
import { ACTIONS, decide, decideLiftHalt } from "@/lib/auth/permissions";
import type { Actor } from "@/lib/auth/actor";
import { readControls } from "@/lib/controls/controls";

/** The Controls page decides every `controls.*` action of the matrix, so a new one appears without a list to keep. */
const CONTROL_ACTIONS = ACTIONS.filter((a) => a.startsWith("controls."));

/** The Controls page: current state with who set it, workspaces, users' kill-switch status, and what this user may do. */
export async function controlsView(pool: pg.Pool, user: Actor & { id: string }) {
  const [controls, workspaces, users] = await Promise.all([
    readControls(pool),
    pool.query(`SELECT id, slug, name, paused, paused_by, paused_at, pause_reason, pause_incident_id, pause_expires_at FROM workspaces ORDER BY slug`),
    pool.query(`SELECT id, email, roles::text[] AS roles, kill_switch_suspended FROM users ORDER BY email`),
  ]);
  const halt = controls.mode.value.mode === "halted" ? controls.mode.value : null;
  const setUnder = halt?.authority ?? "controls.halt";
  // Lifting the current halt, judged as on-call would declare it (a P1); the UI asks for the P1 when needed.
  const liftHalt = decideLiftHalt(user, "P1", setUnder);
  return {
    controls,
    /** The incident ID form every change must use (INCIDENT_ID_PATTERN), for the forms' hint. */
    incidentIdFormat: incidentIdFormat(),
    liftHalt: liftHalt.allowed
      ? { ...liftHalt, needsP1: !decide(user, "controls.halt").allowed }
      : {
          ...liftHalt,
          reason: `${liftHalt.reason} (set by ${controls.mode.setBy} ${setUnder === "controls.halt" ? "with the halt privilege" : "during a declared P1"})`,
        },
    workspaces: workspaces.rows.map((w) => ({
      id: w.id as string,
      slug: w.slug as string,
      name: w.name as string,
      paused: w.paused as boolean,
      pausedBy: w.paused_by as string | null,
      pausedAt: w.paused_at as Date | null,
      pauseReason: w.pause_reason as string | null,
      pauseIncidentId: w.pause_incident_id as string | null,
      pauseExpiresAt: w.pause_expires_at as Date | null,
    })),
    users: users.rows.map((u) => ({
      id: u.id as string,
      email: u.email as string,
      roles: u.roles as string[],
      killSwitchSuspended: u.kill_switch_suspended as boolean,
      isMe: u.id === user.id,
    })),
    permissions: Object.fromEntries(CONTROL_ACTIONS.map((a) => [a, decide(user, a)])),
  };
}

export type ControlsView = Awaited<ReturnType<typeof controlsView>>;
