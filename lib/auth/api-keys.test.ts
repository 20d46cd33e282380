import { beforeEach, describe, expect, it } from "vitest";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { fixture, postUpload, serveApiForTests } from "@/lib/testing/pipeline";
import { apiKeysByWorkspace, authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "./api-keys";
import type { Actor } from "@/lib/auth/actor";

const admin: Actor = { id: "00000000-0000-0000-0000-0000000000ad", email: "admin@example.com", roles: ["admin"] };
const api = serveApiForTests();

const bearer = (key: string) => `Bearer ${key}`;
const auditRows = () => prisma().auditLog.findMany({ where: { action: "api_key.revoke" }, orderBy: { id: "asc" } });

beforeEach(async () => {
  await resetDatabase();
  await createWorkspace("acme");
  await createWorkspace("globex");
});

describe("listing keys", () => {
  it("lists keys per workspace with prefix, name, created and last used, never the secret", async () => {
    const acme = await createApiKey(prisma(), "acme", "nightly export");
    await createApiKey(prisma(), "globex", "default");
    const listed = await listApiKeys(pool(), { workspace: "acme" });
    expect(listed).toEqual([
      {
        id: acme.id,
        prefix: acme.key.slice(0, 11),
        name: "nightly export",
        workspaceId: acme.workspace.id,
        workspaceSlug: "acme",
        createdAt: expect.any(Date),
        lastUsedAt: null,
        revokedAt: null,
        revokedBy: null,
        revokeReason: null,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(acme.key);
    expect((await listApiKeys(pool(), { workspace: acme.workspace.id })).map((k) => k.id)).toEqual([acme.id]);
    expect((await listApiKeys(pool())).map((k) => k.workspaceSlug)).toEqual(["acme", "globex"]);
  });

  it("the console's view shows every workspace, one without keys too, and can narrow to one", async () => {
    const acme = await createApiKey(prisma(), "acme", "nightly export");
    const all = await apiKeysByWorkspace(pool());
    expect(all.workspaces.map((w) => w.slug)).toEqual(["acme", "globex"]);
    expect(all.groups.map((g) => [g.workspace.slug, g.keys.map((k) => k.id)])).toEqual([
      ["acme", [acme.id]],
      ["globex", []],
    ]);
    const globex = await apiKeysByWorkspace(pool(), { workspace: "globex" });
    expect(globex.workspaces).toHaveLength(2);
    expect(globex.groups.map((g) => [g.workspace.slug, g.keys.length])).toEqual([["globex", 0]]);
    const byId = await apiKeysByWorkspace(pool(), { workspace: acme.workspace.id.toUpperCase() });
    expect(byId.groups.map((g) => g.workspace.slug)).toEqual(["acme"]);
  });

  it("an unknown workspace is not found", async () => {
    await expect(listApiKeys(pool(), { workspace: "initech" })).rejects.toMatchObject({ status: 404, message: 'Workspace "initech" not found.' });
  });

  it("records when a key was last used", async () => {
    const { key, id } = await createApiKey(prisma(), "acme");
    await authenticateApiKey(prisma(), bearer(key));
    const [listed] = await listApiKeys(pool(), { workspace: "acme" });
    expect(listed.id).toBe(id);
    expect(Date.now() - listed.lastUsedAt!.getTime()).toBeLessThan(60_000);
  });
});

describe("revoking keys", () => {
  it("a revoked key gets 401 on POST /api/v1/uploads; the revocation is audited with who and why", async () => {
    const { key, id, prefix } = await createApiKey(prisma(), "acme", "leaked");
    const before = await postUpload(api.url, key, fixture("meta.csv"));
    expect(before.status).toBe(201);

    const revoked = await revokeApiKey(pool(), admin, { key: { id }, reason: "leaked in a chat" });
    expect(revoked).toMatchObject({ id, revokedBy: admin.email, revokeReason: "leaked in a chat", revokedAt: expect.any(Date) });

    const after = await postUpload(api.url, key, fixture("google.csv"), { workspace_id: "acme", platform: "google" });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("UNAUTHORIZED");
    expect(await prisma().upload.count()).toBe(1);
    expect(await auditRows()).toMatchObject([
      {
        actorEmail: admin.email,
        targetType: "api_key",
        targetId: id,
        reason: "leaked in a chat",
        outcome: "ok",
        after: { prefix, workspace: "acme", revoked: true },
      },
    ]);
  });

  it("revokes by prefix, and leaves the workspace's other keys working", async () => {
    const leaked = await createApiKey(prisma(), "acme", "leaked");
    const other = await createApiKey(prisma(), "acme", "other");
    await revokeApiKey(pool(), admin, { key: { prefix: leaked.prefix }, reason: "rotated" });
    await expect(authenticateApiKey(prisma(), bearer(leaked.key))).rejects.toMatchObject({ status: 401 });
    expect((await authenticateApiKey(prisma(), bearer(other.key))).id).toBe(other.id);
    const listed = await listApiKeys(pool(), { workspace: "acme" });
    expect(listed.map((k) => [k.name, k.revokedAt !== null])).toEqual([
      ["other", false],
      ["leaked", true],
    ]);
  });

  it("is a compare-and-set: revoking twice is a conflict naming who revoked it, audited as refused", async () => {
    const { id } = await createApiKey(prisma(), "acme", "leaked");
    const other: Actor = { id: null, email: "cli", roles: ["cli"] };
    const results = await Promise.allSettled([
      revokeApiKey(pool(), admin, { key: { id }, reason: "first" }),
      revokeApiKey(pool(), other, { key: { id }, reason: "second" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ status: 409, code: "ALREADY_REVOKED" });
    expect(refused.reason.message).toMatch(/already revoked by (admin@example\.com|cli) at /);
    expect((await auditRows()).map((r) => r.outcome).sort()).toEqual(["ok", "refused"]);
  });

  it("a reason is required; a malformed id or an unknown prefix is not found", async () => {
    const { key, id } = await createApiKey(prisma(), "acme");
    await expect(revokeApiKey(pool(), admin, { key: { id }, reason: "" })).rejects.toMatchObject({ status: 400, code: "REASON_REQUIRED" });
    await expect(revokeApiKey(pool(), admin, { key: { id: "nope" }, reason: "x" })).rejects.toMatchObject({ status: 404 });
    await expect(revokeApiKey(pool(), admin, { key: { prefix: "ik_missing0" }, reason: "x" })).rejects.toMatchObject({
      status: 404,
      message: "API key with prefix ik_missing0 not found.",
    });
    expect((await authenticateApiKey(prisma(), bearer(key))).id).toBe(id);
    expect(await auditRows()).toMatchObject([{ outcome: "refused", refusedReason: "A reason is required." }]);
  });
});
