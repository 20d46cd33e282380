import type pg from "pg";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { withTransaction } from "@/lib/db/sql";
import { forbidden } from "@/lib/errors";
import type { SignInUser } from "./check-credentials";
import type { UsersRow } from "@/lib/db/rows";

/** The claims of an SSO sign-in that decide who it is (ID token merged with userinfo). */
export const oidcClaimsSchema = z.object({
  sub: z.string().min(1).max(255),
  email: z.string().max(320).optional(),
  email_verified: z.unknown().optional(),
});

type UserRow = Pick<UsersRow, "id" | "email" | "name" | "roles" | "oidc_sub">;
const columns = `id, email, name, roles::text[] AS roles, oidc_sub`;

/**
 * The console user an SSO identity signs in as. The provider's `sub` is the identity: once linked, a
 * user is found by it alone, whatever the email claim says later. The first sign-in links by email,
 * and only when the provider says it verified that email (`email_verified: true`); the link is
 * audited. Roles are granted in the console, never by the provider, so an unknown person is refused.
 */
export async function resolveOidcUser(pool: pg.Pool, rawClaims: unknown): Promise<SignInUser> {
  const claims = oidcClaimsSchema.parse(rawClaims);
  const linked = await findUserByOidcSub(pool, claims.sub);
  if (linked) return linked;
  const email = claims.email?.trim().toLowerCase();
  if (!email || claims.email_verified !== true) {
    throw forbidden("The identity provider has not verified this account's email address, so it cannot be linked to a console user.", "OIDC_EMAIL_UNVERIFIED");
  }
  return withTransaction(pool, async (client) => {
    const {
      rows: [user],
    } = await client.query<UserRow>(`SELECT ${columns} FROM users WHERE email = $1 FOR UPDATE`, [email]);
    if (!user) throw forbidden("No console user has this SSO account's email address.", "OIDC_NO_ACCOUNT");
    if (user.oidc_sub !== null && user.oidc_sub !== claims.sub) {
      throw forbidden("This console user is already linked to a different SSO identity.", "OIDC_ALREADY_LINKED");
    }
    if (user.oidc_sub === null) {
      await client.query(`UPDATE users SET oidc_sub = $2 WHERE id = $1`, [user.id, claims.sub]);
      await recordAudit(client, {
        actor: { id: user.id, email: user.email, roles: user.roles },
        action: "user.link_sso",
        targetType: "user",
        targetId: user.id,
        before: { oidcSub: null },
        after: { oidcSub: claims.sub },
        outcome: "ok",
      });
    }
    return { id: user.id, email: user.email, name: user.name };
  });
}

/** The user linked to an SSO `sub`, or null. */
export async function findUserByOidcSub(db: Pick<pg.Pool, "query">, sub: string): Promise<SignInUser | null> {
  const {
    rows: [user],
  } = await db.query<UserRow>(`SELECT ${columns} FROM users WHERE oidc_sub = $1`, [sub]);
  return user ? { id: user.id, email: user.email, name: user.name } : null;
}
