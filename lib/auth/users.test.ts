import { beforeEach, describe, expect, it } from "vitest";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { addUser, disableUser, enableUser, listUsers, recordSignIn, sessionUser, signOutEverywhere } from "./users";
import type { Actor } from "@/lib/auth/actor";

const admin = { id: "00000000-0000-0000-0000-0000000000ad", email: "admin@example.com", roles: ["admin"] } satisfies Actor;

async function seedUsers() {
  await prisma().user.create({ data: { id: admin.id, email: admin.email, roles: ["admin"] } });
  return addUser(prisma(), { email: "Oncall@Example.com", roles: ["oncall", "viewer"], password: "pw-123456" });
}

/** What a browser holds after signing in: the claims of its session token. */
async function signIn(email: string) {
  const claims = await recordSignIn(pool(), email);
  expect(claims).not.toBeNull();
  return claims!;
}

const auditRows = (action: string) => prisma().auditLog.findMany({ where: { action }, orderBy: { id: "asc" } });

beforeEach(async () => {
  await resetDatabase();
});

describe("sessions", () => {
  it("a session resolves to its user with roles read from the database", async () => {
    const user = await seedUsers();
    const claims = await signIn("oncall@example.com");
    expect(claims).toEqual({ id: user.id, sessionVersion: 1 });
    expect(await sessionUser(pool(), claims)).toEqual({
      id: user.id,
      email: "oncall@example.com",
      name: null,
      roles: ["oncall", "viewer"],
      killSwitchSuspended: false,
    });
    await prisma().user.update({ where: { id: user.id }, data: { roles: ["viewer"] } });
    expect((await sessionUser(pool(), claims))?.roles).toEqual(["viewer"]);
  });

  it("claims that are missing, malformed or of an unknown user resolve to nobody", async () => {
    const user = await seedUsers();
    expect(await sessionUser(pool(), {})).toBeNull();
    expect(await sessionUser(pool(), { id: user.id })).toBeNull(); // a token issued before session versions existed
    expect(await sessionUser(pool(), { id: "not-a-uuid", sessionVersion: 1 })).toBeNull();
    expect(await sessionUser(pool(), { id: user.id, sessionVersion: "1" })).toBeNull();
    expect(await sessionUser(pool(), { id: "00000000-0000-0000-0000-000000000999", sessionVersion: 1 })).toBeNull();
  });

  it("sign-in records the time; an unknown email gets no claims", async () => {
    const user = await seedUsers();
    expect((await listUsers(pool())).find((u) => u.id === user.id)?.lastSignInAt).toBeNull();
    await signIn("  ONCALL@example.com ");
    const listed = (await listUsers(pool())).find((u) => u.id === user.id)!;
    expect(Date.now() - listed.lastSignInAt!.getTime()).toBeLessThan(60_000);
    expect(await recordSignIn(pool(), "nobody@example.com")).toBeNull();
  });

  it("sign out everywhere ends every open session but lets the user sign in again, audited", async () => {
    const user = await seedUsers();
    const laptop = await signIn("oncall@example.com");
    const phone = await signIn("oncall@example.com");
    await signOutEverywhere(pool(), admin, { user: { id: user.id }, reason: "lost laptop" });
    expect(await sessionUser(pool(), laptop)).toBeNull();
    expect(await sessionUser(pool(), phone)).toBeNull();
    const fresh = await signIn("oncall@example.com");
    expect((await sessionUser(pool(), fresh))?.email).toBe("oncall@example.com");
    expect(await auditRows("users.sign_out_everywhere")).toMatchObject([
      {
        actorEmail: admin.email,
        targetId: "oncall@example.com",
        reason: "lost laptop",
        outcome: "ok",
        before: { sessionVersion: 1 },
        after: { sessionVersion: 2 },
      },
    ]);
  });
});

describe("disable and enable", () => {
  it("lists users with roles, disabled state and last sign-in", async () => {
    await seedUsers();
    const users = await listUsers(pool());
    expect(users.map((u) => [u.email, u.roles, u.disabledAt])).toEqual([
      ["admin@example.com", ["admin"], null],
      ["oncall@example.com", ["oncall", "viewer"], null],
    ]);
  });

  it("disabling refuses the user's open session at once and any new sign-in, audited with reason", async () => {
    const user = await seedUsers();
    const open = await signIn("oncall@example.com");
    const disabled = await disableUser(pool(), admin, { user: { id: user.id }, reason: "left the company" });
    expect(disabled).toMatchObject({ email: "oncall@example.com", disabledBy: admin.email, disabledReason: "left the company" });
    expect(await sessionUser(pool(), open)).toBeNull();
    expect(await recordSignIn(pool(), "oncall@example.com")).toBeNull();
    // Even a token that carries the new version is refused while the user is disabled.
    expect(await sessionUser(pool(), { id: user.id, sessionVersion: open.sessionVersion + 1 })).toBeNull();
    expect(await auditRows("users.disable")).toMatchObject([
      {
        actorEmail: admin.email,
        actorRoles: ["admin"],
        targetType: "user",
        targetId: "oncall@example.com",
        reason: "left the company",
        outcome: "ok",
        before: { disabled: false },
        after: { disabled: true },
      },
    ]);
  });

  it("enabling lets the user sign in again, but sessions from before the disable stay ended", async () => {
    const user = await seedUsers();
    const old = await signIn("oncall@example.com");
    await disableUser(pool(), admin, { user: { email: "oncall@example.com" }, reason: "suspicious activity" });
    const enabled = await enableUser(pool(), admin, { user: { email: "ONCALL@example.com" }, reason: "cleared by security" });
    expect(enabled).toMatchObject({ disabledAt: null, disabledBy: null, disabledReason: null });
    expect(await sessionUser(pool(), old)).toBeNull();
    const fresh = await signIn("oncall@example.com");
    expect((await sessionUser(pool(), fresh))?.id).toBe(user.id);
    expect((await auditRows("users.enable")).map((r) => [r.targetId, r.reason, r.outcome])).toEqual([["oncall@example.com", "cleared by security", "ok"]]);
  });

  it("is a compare-and-set: of two concurrent disables one wins, the other is told it is already disabled", async () => {
    const user = await seedUsers();
    const other: Actor = { id: "00000000-0000-0000-0000-0000000000ae", email: "admin2@example.com", roles: ["admin"] };
    const results = await Promise.allSettled([
      disableUser(pool(), admin, { user: { id: user.id }, reason: "first" }),
      disableUser(pool(), other, { user: { id: user.id }, reason: "second" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ status: 409, code: "ALREADY_DISABLED" });
    expect(refused.reason.message).toMatch(/already disabled \(by admin2?@example\.com at /);
    const row = await prisma().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.sessionVersion).toBe(2); // bumped once, not twice
    expect((await auditRows("users.disable")).map((r) => r.outcome).sort()).toEqual(["ok", "refused"]);
  });

  it("an admin cannot disable themselves; the refusal is audited and nothing changes", async () => {
    await seedUsers();
    await expect(disableUser(pool(), admin, { user: { id: admin.id }, reason: "oops" })).rejects.toMatchObject({ status: 403, code: "SELF_DISABLE" });
    const row = await prisma().user.findUniqueOrThrow({ where: { id: admin.id } });
    expect(row).toMatchObject({ disabledAt: null, sessionVersion: 1 });
    expect(await auditRows("users.disable")).toMatchObject([
      { outcome: "refused", targetId: admin.email, refusedReason: expect.stringContaining("your own account") },
    ]);
  });

  it("a reason is required", async () => {
    const user = await seedUsers();
    await expect(disableUser(pool(), admin, { user: { id: user.id }, reason: "   " })).rejects.toMatchObject({ status: 400, code: "REASON_REQUIRED" });
    expect((await prisma().user.findUniqueOrThrow({ where: { id: user.id } })).disabledAt).toBeNull();
    expect(await auditRows("users.disable")).toMatchObject([{ outcome: "refused" }]);
  });

  it("unknown email, malformed id and enabling a user who is not disabled are clear errors", async () => {
    await seedUsers();
    await expect(disableUser(pool(), admin, { user: { email: "ghost@example.com" }, reason: "x" })).rejects.toMatchObject({
      status: 404,
      message: "User ghost@example.com not found.",
    });
    await expect(disableUser(pool(), admin, { user: { id: "123" }, reason: "x" })).rejects.toMatchObject({ status: 404, code: "NOT_FOUND" });
    await expect(enableUser(pool(), admin, { user: { email: "oncall@example.com" }, reason: "x" })).rejects.toMatchObject({
      status: 409,
      code: "NOT_DISABLED",
    });
  });
});
