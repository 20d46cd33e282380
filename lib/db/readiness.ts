import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { log } from "@/lib/log";
import type { Queryable } from "./sql";

export type ReadinessCheck = {
  name: "database" | "migrations" | "controls" | "storage";
  ok: boolean;
  /** Which way it failed, safe to show anyone. */
  detail?: string;
  /** The database's own error text: for the log and the console, never for /ready. */
  error?: string;
};
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

let schemaCurrent = false;

/** pendingMigrations until the schema is current; after that it stays current for the life of the process. */
export async function pendingMigrationsUntilCurrent(db: Queryable): Promise<string[]> {
  if (schemaCurrent) return [];
  const pending = await pendingMigrations(db);
  schemaCurrent = pending.length === 0;
  return pending;
}

const failed = (name: ReadinessCheck["name"], detail: string, error: unknown): ReadinessCheck => ({
  name,
  ok: false,
  detail,
  error: error instanceof Error ? error.message : String(error),
});

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
    (): ReadinessCheck => ({ name: "storage", ok: true }),
    (error) => failed("storage", "unreachable", error),
  );
}

async function checkDatabase(db: Queryable): Promise<Readiness> {
  const checks: ReadinessCheck[] = [];
  try {
    await db.query("SELECT 1");
    checks.push({ name: "database", ok: true });
  } catch (error) {
    checks.push(failed("database", "unreachable", error));
    return { ready: false, checks };
  }
  let pending: string[];
  try {
    pending = await pendingMigrations(db);
  } catch (error) {
    checks.push(failed("migrations", "the applied migrations could not be read", error));
    return { ready: false, checks };
  }
  checks.push(pending.length ? { name: "migrations", ok: false, detail: `pending: ${pending.join(", ")}` } : { name: "migrations", ok: true });
  if (pending.length) return { ready: false, checks };
  try {
    await db.query("SELECT key FROM ingestion_controls LIMIT 1");
    checks.push({ name: "controls", ok: true });
  } catch (error) {
    checks.push(failed("controls", "the controls could not be read", error));
  }
  return { ready: checks.every((c) => c.ok), checks };
}

/**
 * GET /ready for anyone who asks (a load balancer, a stranger): which check failed, never the
 * database's own error text (host names, users, table names). That goes to the log under an error id
 * the answer names.
 */
export async function publicReadiness(db: Queryable, store?: Pingable): Promise<{ status: number; body: Readiness }> {
  const readiness = await checkReadiness(db, store);
  const checks = readiness.checks.map(({ error, ...check }) => {
    if (error === undefined) return check;
    const errorId = randomUUID();
    log.error("ready.check_failed", { check: check.name, errorId, error });
    return { ...check, detail: `${check.detail} (error id ${errorId})` };
  });
  return { status: readiness.ready ? 200 : 503, body: { ready: readiness.ready, checks } };
}
