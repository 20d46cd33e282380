/**
 * npm run --silent cli -- <noun> <verb> [options]   (run with no arguments for the list)
 * Uses DATABASE_URL; without it, the embedded database of a running `npm run dev` (DATA_DIR/connection.json),
 * or else starts the embedded development database under DATA_DIR for the duration.
 * Every change made from here is audited with the actor "cli".
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import path from "node:path";
import { CLI_ACTOR } from "@/lib/auth/actor";
import { AppError } from "../lib/errors";

const USAGE = `Usage:
  cli user add --email E --role R [--role R2 …] [--password P] [--name N]
  cli user list [--json]
  cli user disable --email E --reason "why"
  cli user enable --email E --reason "why"
  cli user sign-out-everywhere --email E --reason "why"
  cli apikey create --workspace <slug> [--name N]
  cli apikey list [--workspace <slug or id>] [--json]
  cli apikey revoke (--id <key id> | --prefix <ik_…>) --reason "why"`;

const usage = (problem: string) => new AppError("USAGE", 2, `${problem}\n${USAGE}`);

function required(values: Record<string, unknown>, ...names: string[]) {
  for (const name of names) if (typeof values[name] !== "string" || !(values[name] as string).trim()) throw usage(`--${name} is required.`);
}

const utc = (value: Date | null) => (value ? value.toISOString().replace("T", " ").slice(0, 19) + " UTC" : "—");

/** Plain aligned columns: readable in a terminal, and one row per line for grep. */
function table(header: string[], rows: string[][]): string {
  if (!rows.length) return "";
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")).join("\n");
}

/** The embedded database of a running `npm run dev`, from the connection file its launcher writes. */
function runningConsoleDatabase(): string | undefined {
  const file = path.join(path.resolve(process.env.DATA_DIR ?? ".data"), "connection.json");
  if (!existsSync(file)) return undefined;
  const { url, pid } = JSON.parse(readFileSync(file, "utf8")) as { url: string; pid: number };
  try {
    process.kill(pid, 0);
    return url;
  } catch {
    return undefined; // a launcher that died without cleaning up
  }
}

async function main() {
  const [noun, verb, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      role: { type: "string", multiple: true },
      password: { type: "string" },
      name: { type: "string" },
      workspace: { type: "string" },
      reason: { type: "string" },
      id: { type: "string" },
      prefix: { type: "string" },
      json: { type: "boolean" },
    },
    strict: true,
  });
  let stop: (() => Promise<void>) | undefined;
  if (!process.env.DATABASE_URL) process.env.DATABASE_URL = runningConsoleDatabase();
  if (!process.env.DATABASE_URL) {
    const { startEmbeddedPostgres } = await import("../lib/db/embedded");
    const dataDir = path.resolve(process.env.DATA_DIR ?? ".data");
    const db = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pg"),
      port: Number(process.env.EMBEDDED_PG_PORT ?? 54329),
      database: "ingestion",
    }).catch((error) => {
      throw new AppError("NO_DATABASE", 1, `No DATABASE_URL and the embedded database could not start: ${error.message}`);
    });
    process.env.DATABASE_URL = db.url;
    stop = db.stop;
  }
  const { pool, prisma, closeDb } = await import("../lib/db/client");
  const users = await import("../lib/auth/users");
  const keys = await import("../lib/auth/api-keys");
  try {
    const command = `${noun} ${verb}`;
    if (command === "user add") {
      required(values, "email");
      const user = await users.addUser(prisma(), { email: values.email!, roles: values.role ?? [], password: values.password, name: values.name });
      console.log(`${user.email} (${user.roles.join(", ")})`);
    } else if (command === "user list") {
      const list = await users.listUsers(pool());
      if (values.json) return void console.log(JSON.stringify(list, null, 2));
      if (!list.length) return void console.log("No users yet. Add one with: cli user add --email E --role R");
      const status = (u: (typeof list)[number]) => (u.disabledAt ? `disabled ${utc(u.disabledAt)} by ${u.disabledBy}: ${u.disabledReason}` : "active");
      console.log(
        table(
          ["EMAIL", "ROLES", "LAST SIGN-IN", "STATUS"],
          list.map((u) => [u.email, u.roles.join(","), utc(u.lastSignInAt), status(u)]),
        ),
      );
    } else if (noun === "user" && (verb === "disable" || verb === "enable" || verb === "sign-out-everywhere")) {
      required(values, "email", "reason");
      const changes = {
        disable: [users.disableUser, "disabled; their sessions have ended"],
        enable: [users.enableUser, "enabled; they can sign in again"],
        "sign-out-everywhere": [users.signOutEverywhere, "signed out everywhere"],
      } as const;
      const [change, done] = changes[verb];
      const user = await change(pool(), CLI_ACTOR, { user: { email: values.email! }, reason: values.reason! });
      console.log(`${user.email} ${done}.`);
    } else if (command === "apikey create") {
      required(values, "workspace");
      const { key } = await keys.createApiKey(prisma(), values.workspace!, values.name);
      console.log(key);
    } else if (command === "apikey list") {
      const list = await keys.listApiKeys(pool(), { workspace: values.workspace });
      if (values.json) return void console.log(JSON.stringify(list, null, 2));
      if (!list.length)
        return void console.log(`No API keys${values.workspace ? ` in ${values.workspace}` : ""}. Create one with: cli apikey create --workspace <slug>`);
      const status = (k: (typeof list)[number]) => (k.revokedAt ? `revoked ${utc(k.revokedAt)} by ${k.revokedBy}: ${k.revokeReason}` : "active");
      console.log(
        table(
          ["ID", "PREFIX", "WORKSPACE", "NAME", "CREATED", "LAST USED", "STATUS"],
          list.map((k) => [k.id, k.prefix, k.workspaceSlug, k.name, utc(k.createdAt), utc(k.lastUsedAt), status(k)]),
        ),
      );
    } else if (command === "apikey revoke") {
      if (Boolean(values.id) === Boolean(values.prefix)) throw usage("Give exactly one of --id or --prefix.");
      required(values, "reason");
      const key = await keys.revokeApiKey(pool(), CLI_ACTOR, { key: values.id ? { id: values.id } : { prefix: values.prefix! }, reason: values.reason! });
      console.log(`API key ${key.prefix}… (${key.name}, ${key.workspaceSlug}) revoked.`);
    } else {
      throw new AppError("USAGE", 2, USAGE);
    }
  } finally {
    await closeDb();
    await stop?.();
  }
}

main().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof AppError && error.code === "USAGE" ? 2 : 1);
});
