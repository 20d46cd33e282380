import type { PrismaClient } from "@/generated/prisma/client";
import { badRequest, conflict } from "@/lib/errors";
import { hashPassword } from "./passwords";
import { isRole, type Role } from "./permissions";

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

