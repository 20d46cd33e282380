import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApiKey, hashApiKey } from "@/lib/auth/api-keys";
import { createWorkspace, prisma, resetDatabase } from "@/lib/testing/db";
import { appRouteFiles, serveAppRoutes, sessionCookie } from "@/lib/testing/next-routes";

// The marker package throws outside Next's react-server build; the route modules import it.

let server: Awaited<ReturnType<typeof serveAppRoutes>>;

beforeAll(async () => {
  server = await serveAppRoutes(appRouteFiles("api").filter((r) => r.pattern.startsWith("/api/console/admin/")));
});
afterAll(() => server?.close());
beforeEach(async () => {
  await resetDatabase();
  await createWorkspace("acme");
});

const get = (path: string, cookie: string) => fetch(`${server.url}${path}`, { headers: { cookie } });
const post = (path: string, cookie: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: "POST", headers: { cookie, origin: server.url, "content-type": "application/json" }, body: JSON.stringify(body) });

const addAdmin = (email: string) => prisma().user.create({ data: { email, roles: ["admin"] } });

describe("console admin routes", () => {
  it("a disabled user's session that was issued before is refused with 401 at its next request", async () => {
    const admin = await addAdmin("admin@example.com");
    const other = await addAdmin("other-admin@example.com");
    const theirs = await sessionCookie(other);
    expect((await get("/api/console/admin/users", theirs)).status).toBe(200);

    const disabled = await post(`/api/console/admin/users/${other.id}/disable`, await sessionCookie(admin), { reason: "left the company" });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ email: "other-admin@example.com", disabledBy: "admin@example.com" });

    const refused = await get("/api/console/admin/users", theirs);
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe("UNAUTHORIZED");
    // Not even a token that carries the new session version gets in while they are disabled.
    expect((await get("/api/console/admin/users", await sessionCookie({ ...other, sessionVersion: other.sessionVersion + 1 }))).status).toBe(401);
  });

  it("sign out everywhere refuses the sessions issued before it; a new sign-in works", async () => {
    const admin = await addAdmin("admin@example.com");
    const old = await sessionCookie(admin);
    expect((await post(`/api/console/admin/users/${admin.id}/sign-out-everywhere`, old, { reason: "lost my laptop" })).status).toBe(200);
    expect((await get("/api/console/admin/users", old)).status).toBe(401);
    const now = await prisma().user.findUniqueOrThrow({ where: { id: admin.id } });
    expect((await get("/api/console/admin/users", await sessionCookie(now))).status).toBe(200);
  });

  it("a non-admin gets 403 on every admin route, the refusal is audited and nothing changes", async () => {
    const target = await addAdmin("admin@example.com");
    const viewer = await prisma().user.create({ data: { email: "viewer@example.com", roles: ["viewer", "oncall", "sre_lead"] } });
    const key = await createApiKey(prisma(), "acme");
    const cookie = await sessionCookie(viewer);
    expect((await get("/api/console/admin/users", cookie)).status).toBe(403);
    expect((await get("/api/console/admin/api-keys", cookie)).status).toBe(403);
    for (const path of [`/api/console/admin/users/${target.id}/disable`, `/api/console/admin/api-keys/${key.id}/revoke`]) {
      const response = await post(path, cookie, { reason: "not mine to do" });
      expect(response.status, path).toBe(403);
    }
    expect(await prisma().user.findUniqueOrThrow({ where: { id: target.id } })).toMatchObject({ disabledAt: null, sessionVersion: 1 });
    expect((await prisma().apiKey.findUniqueOrThrow({ where: { id: key.id } })).revokedAt).toBeNull();
    expect(await prisma().auditLog.count({ where: { action: "users.manage", outcome: "refused", actorEmail: "viewer@example.com" } })).toBe(2);
  });

  it("lists keys without their secret or hash, and revokes one", async () => {
    const admin = await addAdmin("admin@example.com");
    const cookie = await sessionCookie(admin);
    const key = await createApiKey(prisma(), "acme", "nightly");
    const listed = await get("/api/console/admin/api-keys?workspace=acme", cookie);
    const text = await listed.text();
    expect(JSON.parse(text).groups).toMatchObject([{ workspace: { slug: "acme" }, keys: [{ id: key.id, prefix: key.prefix, name: "nightly" }] }]);
    expect(text).not.toContain(key.key);
    expect(text).not.toContain(hashApiKey(key.key));
    expect((await get("/api/console/admin/api-keys?workspace=initech", cookie)).status).toBe(404);

    const revoked = await post(`/api/console/admin/api-keys/${key.id}/revoke`, cookie, { reason: "rotated" });
    expect(revoked.status).toBe(200);
    const again = await post(`/api/console/admin/api-keys/${key.id}/revoke`, cookie, { reason: "rotated" });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("ALREADY_REVOKED");
  });
});
