import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../db/embedded";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
  }
}

/**
 * Integration tests run against a real PostgreSQL: TEST_DATABASE_URL when given (a server whose
 * database we may recreate), otherwise an embedded server in a temporary folder.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    dataDir = mkdtempSync(path.join(tmpdir(), "ingestion-test-pg-"));
    const port = 55000 + Math.floor(Math.random() * 2000);
    embedded = await startEmbeddedPostgres({ dataDir, port, database: "postgres" });
    serverUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ingestion_test WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ingestion_test`);
  await admin.end();
  const databaseUrl = serverUrl.replace(/\/[^/?]*(\?|$)/, "/ingestion_test$1");
  const migrate = spawnSync(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`migrate deploy failed:\n${migrate.stdout}\n${migrate.stderr}`);
  project.provide("databaseUrl", databaseUrl);
  project.provide("adminDatabaseUrl", serverUrl);
  return async () => {
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
