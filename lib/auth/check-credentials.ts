import type pg from "pg";
import { z } from "zod";
import type { PrismaClient } from "@/generated/prisma/client";
import { verifyPassword } from "./passwords";
import { recordSignInSuccess, reserveSignInAttempt, type SignInThrottlePolicy } from "./sign-in-throttle";

/** What the sign-in form posts (next-auth adds csrfToken and callbackUrl, which are not ours to read). */
export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().min(1).max(320),
  password: z.string().min(1).max(1024),
});

export type SignInUser = { id: string; email: string; name: string | null };

/**
 * Email and password sign-in: throttled per email and per client address (SIGN_IN_THROTTLED), then one
 * bcrypt comparison whether or not the account exists. Null for a wrong email or password.
 */
export async function checkCredentials(
  db: { prisma: PrismaClient; pool: pg.Pool },
  attempt: z.infer<typeof credentialsSchema> & { address: string | null },
  policy?: SignInThrottlePolicy,
): Promise<SignInUser | null> {
  const keys = { email: attempt.email, address: attempt.address };
  await reserveSignInAttempt(db.pool, keys, policy);
  const user = await db.prisma.user.findUnique({ where: { email: attempt.email } });
  if (!(await verifyPassword(attempt.password, user?.passwordHash)) || !user) return null;
  await recordSignInSuccess(db.pool, keys);
  return { id: user.id, email: user.email, name: user.name };
}
