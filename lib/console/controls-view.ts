import type pg from "pg";
import { decide, type Action, type Actor } from "@/lib/auth/permissions";
import { readControls } from "@/lib/controls/controls";

const ACTIONS: Action[] = ["controls.drain", "controls.halt", "controls.halt_p1", "controls.resume", "controls.freeze_worker", "controls.workspace_pause", "controls.rollout", "controls.suspend_kill_switch"];

/** The Controls page: current state with who set it, workspaces, users' kill-switch status, and what this user may do. */
export async function controlsView(pool: pg.Pool, user: Actor) {
  const [controls, workspaces, users] = await Promise.all([
    readControls(pool),
    pool.query(`SELECT id, slug, name, paused, paused_by, paused_at, pause_reason, pause_incident_id, pause_expires_at FROM workspaces ORDER BY slug`),
    pool.query(`SELECT id, email, roles::text[] AS roles, kill_switch_suspended FROM users ORDER BY email`),
  ]);
  return {
    controls,
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
    users: users.rows.map((u) => ({ id: u.id as string, email: u.email as string, roles: u.roles as string[], killSwitchSuspended: u.kill_switch_suspended as boolean })),
    permissions: Object.fromEntries(ACTIONS.map((a) => [a, decide(user, a)])),
  };
}

export type ControlsView = Awaited<ReturnType<typeof controlsView>>;
