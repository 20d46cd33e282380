import { execFile } from "node:child_process";
import { beforeEach, describe, expect, it } from "vitest";
import { authenticateApiKey, createApiKey } from "@/lib/auth/api-keys";
import { addUser, recordSignIn, sessionUser } from "@/lib/auth/users";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";

type Run = { code: number; stdout: string; stderr: string };

/** `npm run --silent cli -- …` as an operator types it, against the test database. */
function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile("npm", ["run", "--silent", "cli", "--", ...args], { env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const CLI_TIMEOUT = 240_000;

beforeEach(async () => {
  await resetDatabase();
  await createWorkspace("acme");
  await createWorkspace("globex");
});

describe("cli user", () => {
  it(
    "disables and enables a user by email, audited with actor cli; the user's open session is refused",
    async () => {
      const user = await addUser(prisma(), { email: "oncall@example.com", roles: ["oncall"] });
      await addUser(prisma(), { email: "viewer@example.com", roles: ["viewer"] });
      const open = (await recordSignIn(pool(), "oncall@example.com"))!;

      const disabled = await cli("user", "disable", "--email", "oncall@example.com", "--reason", "left the company");
      expect(disabled).toMatchObject({ code: 0, stdout: "oncall@example.com disabled; their sessions have ended.\n" });
      expect(await sessionUser(pool(), open)).toBeNull();
      expect(await prisma().user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
        disabledBy: "cli",
        disabledReason: "left the company",
        sessionVersion: 2,
      });

      const [again, listed] = await Promise.all([cli("user", "disable", "--email", "oncall@example.com", "--reason", "twice"), cli("user", "list")]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/^error: oncall@example\.com is already disabled \(by cli at /);
      const lines = listed.stdout.trim().split("\n");
      expect(lines[0]).toMatch(/^EMAIL\s+ROLES\s+LAST SIGN-IN\s+STATUS$/);
      expect(lines[1]).toMatch(/^oncall@example\.com\s+oncall\s+\S.*\s+disabled .* by cli: left the company$/);
      expect(lines[2]).toMatch(/^viewer@example\.com\s+viewer\s+—\s+active$/);

      const enabled = await cli("user", "enable", "--email", "oncall@example.com", "--reason", "came back");
      expect(enabled).toMatchObject({ code: 0, stdout: "oncall@example.com enabled; they can sign in again.\n" });
      expect((await prisma().user.findUniqueOrThrow({ where: { id: user.id } })).disabledAt).toBeNull();

      const audit = await prisma().auditLog.findMany({ where: { targetId: "oncall@example.com" }, orderBy: { id: "asc" } });
      expect(audit.map((a) => [a.action, a.actorEmail, a.reason, a.outcome])).toEqual([
        ["users.disable", "cli", "left the company", "ok"],
        ["users.disable", "cli", "twice", "refused"],
        ["users.enable", "cli", "came back", "ok"],
      ]);
    },
    CLI_TIMEOUT,
  );

  it(
    "bad input gets a clear error and changes nothing",
    async () => {
      await addUser(prisma(), { email: "oncall@example.com", roles: ["oncall"] });
      const [unknown, noReason, notDisabled] = await Promise.all([
        cli("user", "disable", "--email", "ghost@example.com", "--reason", "x"),
        cli("user", "disable", "--email", "oncall@example.com"),
        cli("user", "enable", "--email", "oncall@example.com", "--reason", "x"),
      ]);
      expect(unknown).toMatchObject({ code: 1, stderr: "error: User ghost@example.com not found.\n" });
      expect(noReason.code).toBe(2);
      expect(noReason.stderr).toMatch(/^error: --reason is required\.\nUsage:/);
      expect(notDisabled).toMatchObject({ code: 1, stderr: "error: oncall@example.com is not disabled.\n" });
      expect((await prisma().user.findUniqueOrThrow({ where: { email: "oncall@example.com" } })).disabledAt).toBeNull();
    },
    CLI_TIMEOUT,
  );
});

describe("cli apikey", () => {
  it(
    "lists keys of a workspace and revokes one by prefix, audited with actor cli; the key then gets 401",
    async () => {
      const leaked = await createApiKey(prisma(), "acme", "nightly export");
      const other = await createApiKey(prisma(), "globex", "globex key");

      const [acme, all] = await Promise.all([cli("apikey", "list", "--workspace", "acme"), cli("apikey", "list", "--json")]);
      expect(acme.code).toBe(0);
      expect(acme.stdout).toMatch(new RegExp(`^${leaked.id}\\s+${leaked.prefix}\\s+acme\\s+nightly export\\s+.+UTC\\s+—\\s+active$`, "m"));
      expect(acme.stdout).not.toContain(other.prefix);
      expect(acme.stdout).not.toContain(leaked.key);
      expect(JSON.parse(all.stdout).map((k: { prefix: string }) => k.prefix)).toEqual([leaked.prefix, other.prefix]);

      const revoked = await cli("apikey", "revoke", "--prefix", leaked.prefix, "--reason", "pasted in a ticket");
      expect(revoked).toMatchObject({ code: 0, stdout: `API key ${leaked.prefix}… (nightly export, acme) revoked.\n` });
      await expect(authenticateApiKey(prisma(), `Bearer ${leaked.key}`)).rejects.toMatchObject({ status: 401 });
      expect((await authenticateApiKey(prisma(), `Bearer ${other.key}`)).id).toBe(other.id);
      expect(await prisma().auditLog.findFirstOrThrow({ where: { action: "api_key.revoke" } })).toMatchObject({
        actorEmail: "cli",
        actorId: null,
        targetId: leaked.id,
        reason: "pasted in a ticket",
        outcome: "ok",
      });

      const again = await cli("apikey", "revoke", "--id", leaked.id, "--reason", "twice");
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(new RegExp(`^error: API key ${leaked.prefix}… \\(nightly export\\) was already revoked by cli at `));
    },
    CLI_TIMEOUT,
  );

  it(
    "a malformed id, an unknown prefix or workspace is not found; --id with --prefix is a usage error",
    async () => {
      const key = await createApiKey(prisma(), "acme");
      const [malformed, unknownPrefix, unknownWorkspace, both] = await Promise.all([
        cli("apikey", "revoke", "--id", "12345", "--reason", "x"),
        cli("apikey", "revoke", "--prefix", "ik_nothere0", "--reason", "x"),
        cli("apikey", "list", "--workspace", "initech"),
        cli("apikey", "revoke", "--id", key.id, "--prefix", key.prefix, "--reason", "x"),
      ]);
      expect(malformed).toMatchObject({ code: 1, stderr: "error: API key not found.\n" });
      expect(unknownPrefix).toMatchObject({ code: 1, stderr: "error: API key with prefix ik_nothere0 not found.\n" });
      expect(unknownWorkspace).toMatchObject({ code: 1, stderr: 'error: Workspace "initech" not found.\n' });
      expect(both.code).toBe(2);
      expect(both.stderr).toMatch(/^error: Give exactly one of --id or --prefix\./);
      expect((await authenticateApiKey(prisma(), `Bearer ${key.key}`)).id).toBe(key.id);
    },
    CLI_TIMEOUT,
  );
});
