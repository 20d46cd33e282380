import path from "node:path";

/**
 * Runs `work` against DATABASE_URL, or the embedded development database under DATA_DIR when it is
 * not set (started for the duration, migrations applied).
 */
export async function withDatabase<T>(work: () => Promise<T>): Promise<T> {
  let stop: (() => Promise<void>) | undefined;
  if (!process.env.DATABASE_URL) {
    const { startEmbeddedPostgres } = await import("../lib/db/embedded");
    const dataDir = path.resolve(process.env.DATA_DIR ?? ".data");
    const db = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), port: Number(process.env.EMBEDDED_PG_PORT ?? 54329), database: "ingestion" });
    process.env.DATABASE_URL = db.url;
    stop = db.stop;
  }
  const { spawnSync } = await import("node:child_process");
  const migrate = spawnSync(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { env: process.env, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`migrate deploy failed: ${migrate.stderr}`);
  const { closeDb } = await import("../lib/db/client");
  try {
    return await work();
  } finally {
    await closeDb();
    await stop?.();
  }
}
