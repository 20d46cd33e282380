import { beforeEach, describe, expect, it } from "vitest";
import { pool, prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { resetDatabase } from "@/lib/testing/db";
import { resolveOidcUser } from "./resolve-oidc-user";

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => (error instanceof AppError ? error.code : error),
  );
const subOf = async (email: string) => (await prisma().user.findUniqueOrThrow({ where: { email } })).oidcSub;

let ana: { id: string };
beforeEach(async () => {
  await resetDatabase();
  ana = await prisma().user.create({ data: { email: "ana@example.com", roles: ["oncall"] } });
  await prisma().user.create({ data: { email: "bo@example.com", roles: ["admin"] } });
});

describe("SSO sign-in", () => {
  it("links on the first sign-in by a verified email, stores the sub, and audits the link", async () => {
    expect(await resolveOidcUser(pool(), { sub: "idp|ana", email: "Ana@Example.com", email_verified: true })).toMatchObject({
      id: ana.id,
      email: "ana@example.com",
    });
    expect(await subOf("ana@example.com")).toBe("idp|ana");
    const audit = await prisma().auditLog.findMany({ where: { action: "user.link_sso" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ targetId: ana.id, actorEmail: "ana@example.com", outcome: "ok" });
  });

  it("maps later sign-ins by sub alone, even when the email claim changes to another user's", async () => {
    await resolveOidcUser(pool(), { sub: "idp|ana", email: "ana@example.com", email_verified: true });
    expect((await resolveOidcUser(pool(), { sub: "idp|ana", email: "ana.renamed@example.com", email_verified: true })).id).toBe(ana.id);
    expect((await resolveOidcUser(pool(), { sub: "idp|ana", email: "bo@example.com", email_verified: true })).id).toBe(ana.id);
    expect((await resolveOidcUser(pool(), { sub: "idp|ana" })).id).toBe(ana.id);
    expect(await subOf("bo@example.com")).toBeNull();
  });

  it("refuses to link by an email the provider has not verified", async () => {
    for (const email_verified of [false, undefined, "true", 1]) {
      expect(await refusal(resolveOidcUser(pool(), { sub: "idp|mallory", email: "ana@example.com", email_verified }))).toBe("OIDC_EMAIL_UNVERIFIED");
    }
    expect(await subOf("ana@example.com")).toBeNull();
  });

  it("refuses an identity with no console user", async () => {
    expect(await refusal(resolveOidcUser(pool(), { sub: "idp|zed", email: "zed@example.com", email_verified: true }))).toBe("OIDC_NO_ACCOUNT");
  });

  it("refuses a second identity for a user already linked", async () => {
    await resolveOidcUser(pool(), { sub: "idp|ana", email: "ana@example.com", email_verified: true });
    expect(await refusal(resolveOidcUser(pool(), { sub: "other-idp-account", email: "ana@example.com", email_verified: true }))).toBe("OIDC_ALREADY_LINKED");
    expect(await subOf("ana@example.com")).toBe("idp|ana");
  });

  it("links once when two first sign-ins race", async () => {
    const claims = { sub: "idp|ana", email: "ana@example.com", email_verified: true };
    const [a, b] = await Promise.all([resolveOidcUser(pool(), claims), resolveOidcUser(pool(), claims)]);
    expect([a.id, b.id]).toEqual([ana.id, ana.id]);
    expect(await prisma().auditLog.count({ where: { action: "user.link_sso" } })).toBe(1);
  });
});
