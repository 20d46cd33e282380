import type pg from "pg";
import type { PrismaClient } from "@/generated/prisma/client";
import { refuse } from "@/lib/audit/accountable";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Actor, SessionUser } from "@/lib/auth/actor";
import { isUuid, parseUuid } from "@/lib/db/ids";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { AppError, badRequest, conflict, forbidden, notFound } from "@/lib/errors";
import { hashPassword } from "./passwords";
import { isRole, type Role } from "./permissions";
import type { UsersRow } from "@/lib/db/rows";

export async function addUser(prisma: PrismaClient, input: { email: string; roles: string[]; password?: string; name?: string }) {
  const email = input.email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw badRequest(`"${input.email}" is not an email address.`);
  if (input.roles.length === 0) throw badRequest("Give at least one --role.");
  const unknown = input.roles.filter((r) => !isRole(r));
  if (unknown.length) throw badRequest(`Unknown role ${unknown.map((r) => `"${r}"`).join(", ")}.`);
  try {
    return await prisma.user.create({
      data: {
        email,
        name: input.name,
        roles: [...new Set(input.roles as Role[])],
        passwordHash: input.password ? await hashPassword(input.password) : null,
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw conflict(`A user with email ${email} already exists.`, "DUPLICATE_EMAIL");
    throw error;
  }
}

type UserRow = Omit<UsersRow, "password_hash" | "oidc_sub">;

const USER_COLUMNS = `id, email, name, roles::text[] AS roles, kill_switch_suspended, created_at, disabled_at, disabled_by, disabled_reason, session_version, last_sign_in_at`;

export type UserSummary = {
  id: string;
  email: string;
  name: string | null;
  roles: Role[];
  createdAt: Date;
  lastSignInAt: Date | null;
  disabledAt: Date | null;
  disabledBy: string | null;
  disabledReason: string | null;
};

const summary = (row: UserRow): UserSummary => ({
  id: row.id,
  email: row.email,
  name: row.name,
  roles: row.roles,
  createdAt: row.created_at,
  lastSignInAt: row.last_sign_in_at,
  disabledAt: row.disabled_at,
  disabledBy: row.disabled_by,
  disabledReason: row.disabled_reason,
});

/** Everyone who can (or could) sign in, with roles, disabled state and last sign-in. */
export async function listUsers(db: Queryable): Promise<UserSummary[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY email`);
  return rows.map(summary);
}

/** A user named by id (console) or email (CLI); a malformed id or an unknown email is "not found". */
export type UserRef = { id: string } | { email: string };

async function findUserOrThrow(db: Queryable, ref: UserRef): Promise<UserRow> {
  const { rows } =
    "id" in ref
      ? await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [parseUuid(ref.id, "User")])
      : await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [ref.email.trim().toLowerCase()]);
  if (!rows[0]) throw notFound("id" in ref ? "User" : `User ${ref.email}`);
  return rows[0];
}

export type UserChange = { user: UserRef; reason: string };

/**
 * One compare-and-set on a user row, audited in the same transaction. `guard` is the SQL condition
 * the row must still meet (what the operator saw); when it no longer does, the refusal is audited.
 */
async function changeUser(
  pool: pg.Pool,
  actor: Actor,
  action: string,
  input: UserChange,
  change: { set: string; params?: unknown[]; guard: string; stale: (row: UserRow) => AppError; selfRefusal?: string },
): Promise<UserSummary> {
  const target = await findUserOrThrow(pool, input.user);
  const auditTarget = { type: "user", id: target.email };
  const reason = input.reason?.trim() ?? "";
  if (!reason) await refuse(pool, actor, action, auditTarget, input, badRequest("A reason is required.", "REASON_REQUIRED"));
  if (change.selfRefusal && actor.id === target.id) await refuse(pool, actor, action, auditTarget, input, forbidden(change.selfRefusal, "SELF_DISABLE"));
  const changed = await withTransaction(pool, async (client) => {
    const { rows } = await client.query<UserRow>(`UPDATE users SET ${change.set} WHERE id = $1 AND ${change.guard} RETURNING ${USER_COLUMNS}`, [
      target.id,
      ...(change.params ?? []),
    ]);
    if (!rows[0]) return null;
    await recordAudit(client, {
      actor,
      action,
      targetType: "user",
      targetId: target.email,
      reason,
      before: { id: target.id, disabled: target.disabled_at !== null, sessionVersion: target.session_version },
      after: { id: target.id, disabled: rows[0].disabled_at !== null, sessionVersion: rows[0].session_version },
      outcome: "ok",
    });
    return rows[0];
  });
  if (!changed) {
    const current = await findUserOrThrow(pool, { id: target.id });
    await refuse(pool, actor, action, auditTarget, input, change.stale(current));
  }
  return summary(changed!);
}

/** Disables a user: every request of theirs is refused from now on, including sessions already open. */
export function disableUser(pool: pg.Pool, actor: Actor, input: UserChange) {
  return changeUser(pool, actor, "users.disable", input, {
    // Bumping the version ends every session already open.
    set: `disabled_at = now(), disabled_by = $2, disabled_reason = $3, session_version = session_version + 1`,
    params: [actor.email, input.reason?.trim()],
    guard: `disabled_at IS NULL`,
    stale: (row) => conflict(`${row.email} is already disabled (by ${row.disabled_by} at ${row.disabled_at!.toISOString()}).`, "ALREADY_DISABLED"),
    selfRefusal: "You cannot disable your own account; ask another admin.",
  });
}

/** Enables a disabled user again; they sign in afresh (their old sessions stay ended). */
export function enableUser(pool: pg.Pool, actor: Actor, input: UserChange) {
  return changeUser(pool, actor, "users.enable", input, {
    set: `disabled_at = NULL, disabled_by = NULL, disabled_reason = NULL`,
    guard: `disabled_at IS NOT NULL`,
    stale: (row) => conflict(`${row.email} is not disabled.`, "NOT_DISABLED"),
  });
}

/** "Sign out everywhere": every session issued so far stops working; the user may sign in again. */
export function signOutEverywhere(pool: pg.Pool, actor: Actor, input: UserChange) {
  return changeUser(pool, actor, "users.sign_out_everywhere", input, {
    set: `session_version = session_version + 1`,
    guard: `TRUE`,
    stale: (row) => conflict(`${row.email} changed meanwhile; reload.`, "STALE_USER"),
  });
}

/** The user a session belongs to, as the console sees them on every request. */

/**
 * Resolves a session token's claims to its user, read from the database on every request: a
 * disabled user, or a token issued under an older session version, gets no user at all.
 */
export async function sessionUser(db: Queryable, claims: { id?: unknown; sessionVersion?: unknown }): Promise<SessionUser | null> {
  if (typeof claims.id !== "string" || !isUuid(claims.id) || typeof claims.sessionVersion !== "number") return null;
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 AND disabled_at IS NULL AND session_version = $2`, [
    claims.id,
    claims.sessionVersion,
  ]);
  const user = rows[0];
  return user ? { id: user.id, email: user.email, name: user.name, roles: user.roles, killSwitchSuspended: user.kill_switch_suspended } : null;
}

/**
 * At sign-in: records the time and returns the claims the new session carries. A disabled or
 * unknown user gets null, and a session without these claims is refused on every request.
 */
export async function recordSignIn(db: Queryable, email: string): Promise<{ id: string; sessionVersion: number } | null> {
  const { rows } = await db.query<{ id: string; session_version: number }>(
    `UPDATE users SET last_sign_in_at = now() WHERE email = $1 AND disabled_at IS NULL RETURNING id, session_version`,
    [email.trim().toLowerCase()],
  );
  return rows[0] ? { id: rows[0].id, sessionVersion: rows[0].session_version } : null;
}
