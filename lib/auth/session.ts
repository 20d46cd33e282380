import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { prisma } from "@/lib/db/client";
import { authOptions } from "./options";
import type { Role } from "./permissions";

export type CurrentUser = { id: string; email: string; name: string | null; roles: Role[]; killSwitchSuspended: boolean };

/** The signed-in user with roles read from the database on every request, so a demotion applies at once. */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await getServerSession(authOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  const user = await prisma().user.findUnique({ where: { id } });
  if (!user) return null;
  return { id: user.id, email: user.email, name: user.name, roles: user.roles as Role[], killSwitchSuspended: user.killSwitchSuspended };
});

export async function requirePageUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/signin");
  return user;
}
