import type { Role } from "./permissions";

/** The system (monitor, auto-drain, expiry) and the command line act with a marker instead of roles. */
export type ActorRole = Role | "system" | "cli";

/**
 * Who acts: a person signed in to the console, the system or the CLI. The one actor type: the
 * permission matrix decides on its roles, the audit log records it, every operator action takes it.
 */
export type Actor = {
  /** The user's id; null for the system and the CLI. */
  id: string | null;
  email: string;
  name?: string | null;
  roles: readonly ActorRole[];
  /** D10-05: kill-switch privileges suspended by the SRE lead. */
  killSwitchSuspended?: boolean;
};

/** A signed-in console user: an Actor whose id, name, roles and kill-switch state are read on every request. */
export type SessionUser = Actor & { id: string; name: string | null; roles: Role[]; killSwitchSuspended: boolean };

export const SYSTEM_ACTOR: Actor = { id: null, email: "system", roles: ["system"] };
export const CLI_ACTOR: Actor = { id: null, email: "cli", roles: ["cli"] };
