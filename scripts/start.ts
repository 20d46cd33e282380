/**
 * `npm run dev` (mode dev) and the end-to-end server (mode prod): uses DATABASE_URL when set, otherwise
 * starts the embedded PostgreSQL under DATA_DIR; applies migrations; seeds demo data unless told not
 * to; then runs `next dev` or `next start` with the scheduler on. Everything it keeps is under DATA_DIR.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../lib/db/embedded";

const mode = process.argv[2] === "prod" ? "prod" : "dev";
const port = Number(process.env.PORT ?? 3000);
const dataDir = path.resolve(process.env.DATA_DIR ?? ".data");
const seed = process.env.SEED_DEMO !== "false";
mkdirSync(dataDir, { recursive: true });

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
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? secrets.NEXTAUTH_SECRET,
    CRON_SECRET: process.env.CRON_SECRET ?? secrets.CRON_SECRET,
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
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
        `  Try:            curl -H "Authorization: Bearer ${secrets.DEMO_API_KEY}" -F workspace_id=acme -F platform=meta -F file=@lib/ingestion/parse/fixtures/meta.csv http://localhost:${port}/api/v1/uploads`,
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
  const stop = async () => {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await embedded?.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  child.on("exit", async (code) => {
    await embedded?.stop();
    process.exit(code ?? 0);
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
