import type { PrismaClient } from "@/generated/prisma/client";
import { hashApiKey } from "@/lib/auth/api-keys";
import { hashPassword } from "@/lib/auth/passwords";
import { ROLES } from "@/lib/auth/permissions";

export const DEMO_PASSWORD = "demo-password";

/** Idempotent demo data for development and tests: never in production. */
export async function seedDemo(prisma: PrismaClient, options: { apiKey: string; nodeEnv: string | undefined }) {
  if (options.nodeEnv === "production") throw new Error("The demo seed refuses to run with NODE_ENV=production.");
  const workspaces = [
    { slug: "acme", name: "Acme Corp", expectedLagDays: { meta: 1, google: 1, tiktok: 2 } },
    { slug: "globex", name: "Globex", expectedLagDays: { meta: 1, google: 2, tiktok: 2 }, skipWeekends: true, rowPolicy: "strict" as const },
  ];
  for (const w of workspaces) await prisma.workspace.upsert({ where: { slug: w.slug }, update: {}, create: w });
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const role of ROLES) {
    const email = `${role}@example.com`;
    await prisma.user.upsert({ where: { email }, update: {}, create: { email, name: role, roles: [role], passwordHash } });
  }
  // A second SRE lead, so that a cleanup can be requested by one and approved by another.
  await prisma.user.upsert({
    where: { email: "sre_lead2@example.com" },
    update: {},
    create: { email: "sre_lead2@example.com", name: "sre_lead (second)", roles: ["sre_lead"], passwordHash },
  });
  const acme = await prisma.workspace.findUniqueOrThrow({ where: { slug: "acme" } });
  await prisma.apiKey.upsert({
    where: { keyHash: hashApiKey(options.apiKey) },
    update: {},
    create: { workspaceId: acme.id, prefix: options.apiKey.slice(0, 11), keyHash: hashApiKey(options.apiKey), name: "demo" },
  });
  await prisma.ingestionControl.updateMany({
    where: { key: "rollout", setBy: "migration" },
    data: { value: { phase: "P4", allowlist: ["acme", "globex"] }, setBy: "demo-seed", reason: "demo: generally available" },
  });
}
