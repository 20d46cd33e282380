import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { pool } from "@/lib/db/client";
import { authOptions } from "./options";
import type { SessionUser } from "./actor";
import { sessionUser } from "./users";

export type CurrentUser = SessionUser;

/**
 * The signed-in user, read from the database on every request: a demotion applies at once, and a
 * disabled user or a session from before "sign out everywhere" (an older session version) gets null.
 */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await getServerSession(authOptions());
  const claims = session?.user as { id?: unknown; sessionVersion?: unknown } | undefined;
  return claims ? sessionUser(pool(), claims) : null;
});

export async function requirePageUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/signin");
  return user;
}
