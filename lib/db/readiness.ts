import { readdirSync } from "node:fs";
import path from "node:path";
import type { Queryable } from "./sql";

export type ReadinessCheck = { name: "database" | "migrations" | "controls" | "storage"; ok: boolean; detail?: string };
export type Readiness = { ready: boolean; checks: ReadinessCheck[] };

export function expectedMigrations(root = process.cwd()): string[] {
  return readdirSync(path.join(root, "prisma", "migrations"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Migrations in prisma/migrations that the database has not applied (or failed to apply). */
export async function pendingMigrations(db: Queryable): Promise<string[]> {
  const expected = expectedMigrations();
  const applied = await db
    .query(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)
    .then((r) => new Set(r.rows.map((row: { migration_name: string }) => row.migration_name)))
    .catch((error: { code?: string }) => {
      if (error.code === "42P01") return new Set<string>(); // no migrations table yet: nothing applied
      throw error;
    });
  return expected.filter((name) => !applied.has(name));
}

/** Something that can say whether it works, e.g. the file store (a HEAD on its bucket). */
export type Pingable = { ping(): Promise<void> };

/** The database checks and, when given, the file store's, which runs beside them. */
export async function checkReadiness(db: Queryable, store?: Pingable): Promise<Readiness> {
  const [database, storage] = await Promise.all([checkDatabase(db), store ? checkStore(store) : null]);
  const checks = storage ? [...database.checks, storage] : database.checks;
  return { ready: checks.every((c) => c.ok), checks };
}

async function checkStore(store: Pingable): Promise<ReadinessCheck> {
  return store.ping().then(
    () => ({ name: "storage", ok: true }),
    (error: Error) => ({ name: "storage", ok: false, detail: `unreachable: ${error.message}` }),
  );
}

async function checkDatabase(db: Queryable): Promise<Readiness> {
  const checks: ReadinessCheck[] = [];
  try {
    await db.query("SELECT 1");
    checks.push({ name: "database", ok: true });
  } catch (error) {
    checks.push({ name: "database", ok: false, detail: `unreachable: ${(error as Error).message}` });
    return { ready: false, checks };
  }
  const pending = await pendingMigrations(db);
  checks.push(pending.length ? { name: "migrations", ok: false, detail: `pending: ${pending.join(", ")}` } : { name: "migrations", ok: true });
  if (pending.length) return { ready: false, checks };
  try {
    await db.query("SELECT key FROM ingestion_controls LIMIT 1");
    checks.push({ name: "controls", ok: true });
  } catch (error) {
    checks.push({ name: "controls", ok: false, detail: (error as Error).message });
  }
  return { ready: checks.every((c) => c.ok), checks };
}
