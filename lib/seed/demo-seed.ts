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
  for (const w of workspaces) await seedHistory(prisma, w.slug, w.slug === "globex" ? STALE_DAYS : null);
  await prisma.ingestionControl.updateMany({
    where: { key: "rollout", setBy: "migration" },
    data: { value: { phase: "P4", allowlist: ["acme", "globex"] }, setBy: "demo-seed", reason: "demo: generally available" },
  });
}

/** Globex's newest production day is this many days ago: the demo's deliberately stale workspace (WT-06). */
export const STALE_DAYS = 6;
const DEMO_DAYS = 14;

/**
 * Two weeks of production metrics per platform, dated relative to today, each written by a completed
 * upload, so that a newcomer's first screen shows fresh feeds (acme, up to its expected lag) beside a
 * stale one (globex, `staleDays` behind). Only into a workspace that has no uploads yet.
 */
async function seedHistory(prisma: PrismaClient, slug: string, staleDays: number | null) {
  const workspace = await prisma.workspace.findUniqueOrThrow({ where: { slug } });
  if ((await prisma.upload.count({ where: { workspaceId: workspace.id } })) > 0) return;
  const lags = workspace.expectedLagDays as Record<string, number>;
  for (const platform of ["meta", "google", "tiktok"] as const) {
    const newest = staleDays ?? lags[platform] ?? 1;
    const rows = DEMO_DAYS * 3;
    await prisma.$executeRaw`
      WITH up AS (
        INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, total_rows, valid_rows, promoted_rows,
                             parsed_records, created_at, updated_at, started_at, staged_at, promoting_at, completed_at)
        VALUES (gen_random_uuid(), ${workspace.id}::uuid, ${platform}::"Platform", 'scheduled', ${`demo-${slug}-${platform}.csv`}, 4096, md5(random()::text), 'demo-seed',
                'completed', ${rows}, ${rows}, ${rows}, ${rows}, now() - make_interval(days => ${newest}, hours => 2), now() - make_interval(days => ${newest}, hours => 2),
                now() - make_interval(days => ${newest}, hours => 2), now() - make_interval(days => ${newest}, hours => 2), now() - make_interval(days => ${newest}, hours => 2),
                now() - make_interval(days => ${newest}, hours => 2) + interval '40 seconds')
        RETURNING id)
      INSERT INTO metrics (workspace_id, platform, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency, upload_id)
      SELECT ${workspace.id}::uuid, ${platform}::"Platform", current_date - (${newest}::int + d), 'demo-' || c, 'Demo campaign ' || c,
             round((100 + 37 * c + 11 * d)::numeric, 2), 10000 + 500 * c + 90 * d, 200 + 10 * c + d, 5 + c, 'USD', up.id
        FROM up, generate_series(0, ${DEMO_DAYS - 1}::int) d, generate_series(1, 3) c`;
  }
}
