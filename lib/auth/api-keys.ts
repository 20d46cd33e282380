import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { PrismaClient } from "@/generated/prisma/client";
import { isUuid } from "@/lib/db/ids";
import { notFound, unauthorized } from "@/lib/errors";

const KEY_PREFIX = "ik_";

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
  return record;
}
