import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type pg from "pg";
import type { PrismaClient } from "@/generated/prisma/client";
import { refuse } from "@/lib/audit/accountable";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Actor } from "@/lib/auth/actor";
import { isUuid, parseUuid } from "@/lib/db/ids";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { badRequest, conflict, notFound, unauthorized } from "@/lib/errors";

const KEY_PREFIX = "ik_";

/** How stale `last_used_at` may get: a busy key is not rewritten on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const hashApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

/** Creates a workspace API key; returns the key itself once (only its hash is stored). */
export async function createApiKey(prisma: PrismaClient, workspaceSlugOrId: string, name = "default") {
  const workspace = await findWorkspaceOrThrow(prisma, workspaceSlugOrId);
  const secret = randomBytes(24).toString("base64url");
  const key = `${KEY_PREFIX}${secret}`;
  const record = await prisma.apiKey.create({
    data: { workspaceId: workspace.id, prefix: key.slice(0, 11), keyHash: hashApiKey(key), name },
  });
  return { key, id: record.id, prefix: record.prefix, workspace };
}

export async function findWorkspaceOrThrow(prisma: PrismaClient, slugOrId: string) {
  const workspace = await prisma.workspace.findFirst({ where: isUuid(slugOrId) ? { OR: [{ id: slugOrId }, { slug: slugOrId }] } : { slug: slugOrId } });
  if (!workspace) throw notFound(`Workspace "${slugOrId}"`);
  return workspace;
}

/** Resolves a bearer API key to its key record; 401 for a missing, unknown or revoked key. */
export async function authenticateApiKey(prisma: PrismaClient, authorization: string | null) {
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  if (!match) throw unauthorized("Send the workspace API key as 'Authorization: Bearer <key>'.");
  const presented = hashApiKey(match[1]);
  const record = await prisma.apiKey.findUnique({ where: { keyHash: presented } });
  // The lookup is by hash, so timing does not reveal the key; compare anyway before trusting it.
  if (!record || record.revokedAt || !timingSafeEqual(Buffer.from(record.keyHash), Buffer.from(presented))) {
    throw unauthorized("The API key is unknown or revoked.");
  }
  const now = new Date();
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await prisma.apiKey.updateMany({ where: { id: record.id, revokedAt: null }, data: { lastUsedAt: now } });
  }
  return record;
}

type ApiKeyRow = {
  id: string;
  prefix: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  workspace_id: string;
  workspace_slug: string;
};

const KEY_COLUMNS = `k.id, k.prefix, k.name, k.created_at, k.last_used_at, k.revoked_at, k.revoked_by, k.revoke_reason, k.workspace_id, w.slug AS workspace_slug`;

export type ApiKeySummary = {
  id: string;
  prefix: string;
  name: string;
  workspaceId: string;
  workspaceSlug: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokeReason: string | null;
};

const summary = (row: ApiKeyRow): ApiKeySummary => ({
  id: row.id,
  prefix: row.prefix,
  name: row.name,
  workspaceId: row.workspace_id,
  workspaceSlug: row.workspace_slug,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
  revokedBy: row.revoked_by,
  revokeReason: row.revoke_reason,
});

/** API keys (never the secrets), of one workspace (its slug or id) or of all; an unknown workspace is "not found". */
export async function listApiKeys(db: Queryable, filter: { workspace?: string | null } = {}): Promise<ApiKeySummary[]> {
  const workspace = filter.workspace?.trim() || null;
  let workspaceId: string | null = null;
  if (workspace) {
    const found = await db.query<{ id: string }>(`SELECT id FROM workspaces WHERE slug = $1 OR id::text = lower($1)`, [workspace]);
    if (!found.rows[0]) throw notFound(`Workspace "${workspace}"`);
    workspaceId = found.rows[0].id;
  }
  // Active keys first, newest first, per workspace.
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${KEY_COLUMNS} FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id
      WHERE $1::uuid IS NULL OR k.workspace_id = $1
      ORDER BY w.slug, k.revoked_at IS NOT NULL, k.created_at DESC`,
    [workspaceId],
  );
  return rows.map(summary);
}

export type WorkspaceKeys = { workspace: { id: string; slug: string; name: string }; keys: ApiKeySummary[] };

/**
 * The console's view: each workspace (or the one asked for) with its keys, so that a workspace
 * without keys shows as such, and every workspace for the filter.
 */
export async function apiKeysByWorkspace(db: Queryable, filter: { workspace?: string | null } = {}) {
  const [keys, all] = await Promise.all([
    listApiKeys(db, filter),
    db.query<{ id: string; slug: string; name: string }>(`SELECT id, slug, name FROM workspaces ORDER BY slug`),
  ]);
  const wanted = filter.workspace?.trim().toLowerCase();
  const shown = wanted ? all.rows.filter((w) => w.slug === filter.workspace?.trim() || w.id === wanted) : all.rows;
  const groups: WorkspaceKeys[] = shown.map((workspace) => ({ workspace, keys: keys.filter((k) => k.workspaceId === workspace.id) }));
  return { workspaces: all.rows, groups };
}

export type ApiKeysView = Awaited<ReturnType<typeof apiKeysByWorkspace>>;

/** A key named by id (console, CLI --id) or by its prefix as the console shows it (CLI --prefix). */
export type ApiKeyRef = { id: string } | { prefix: string };

async function findApiKeyOrThrow(db: Queryable, ref: ApiKeyRef): Promise<ApiKeyRow> {
  const { rows } =
    "id" in ref
      ? await db.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id WHERE k.id = $1`, [
          parseUuid(ref.id, "API key"),
        ])
      : await db.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id WHERE k.prefix = $1`, [ref.prefix.trim()]);
  if (!rows[0]) throw notFound("id" in ref ? "API key" : `API key with prefix ${ref.prefix}`);
  return rows[0];
}

/** Revokes a key: its next request gets 401. Compare-and-set on "not revoked yet", audited in the same transaction. */
export async function revokeApiKey(pool: pg.Pool, actor: Actor, input: { key: ApiKeyRef; reason: string }): Promise<ApiKeySummary> {
  const action = "api_key.revoke";
  const target = await findApiKeyOrThrow(pool, input.key);
  const auditTarget = { type: "api_key", id: target.id };
  const reason = input.reason?.trim() ?? "";
  if (!reason) await refuse(pool, actor, action, auditTarget, input, badRequest("A reason is required.", "REASON_REQUIRED"));
  const revoked = await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `UPDATE api_keys SET revoked_at = now(), revoked_by = $2, revoke_reason = $3 WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [target.id, actor.email, reason],
    );
    if (!rows[0]) return null;
    await recordAudit(client, {
      actor,
      action,
      targetType: "api_key",
      targetId: target.id,
      reason,
      before: { prefix: target.prefix, name: target.name, workspace: target.workspace_slug, revoked: false },
      after: { prefix: target.prefix, name: target.name, workspace: target.workspace_slug, revoked: true },
      outcome: "ok",
    });
    return findApiKeyOrThrow(client, { id: target.id });
  });
  if (!revoked) {
    const current = await findApiKeyOrThrow(pool, { id: target.id });
    await refuse(
      pool,
      actor,
      action,
      auditTarget,
      input,
      conflict(
        `API key ${current.prefix}… (${current.name}) was already revoked by ${current.revoked_by ?? "someone"} at ${current.revoked_at!.toISOString()}.`,
        "ALREADY_REVOKED",
      ),
    );
  }
  return summary(revoked!);
}
