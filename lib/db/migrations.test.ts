import { spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { expectedMigrations, pendingMigrations } from "./readiness";

/**
 * The structure of a database as a sorted list of lines: columns, indexes, constraints, enums. The
 * staging table's day partitions are the cleanup worker's to make and drop (docs/architecture.md,
 * "Staging layout"), and Prisma knows the partitioned parent as a plain table: partitions are left
 * out and the parent's index read as a plain one.
 */
async function catalog(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const queries = [
      `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' null=' || is_nullable || ' default=' || coalesce(column_default, '') AS line
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' AND table_name !~ '^staging_rows_p\\d{8}$'`,
      `SELECT 'index ' || replace(indexdef, ' ON ONLY ', ' ON ') AS line FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' AND tablename !~ '^staging_rows_p\\d{8}$'`,
      `SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' AND conrelid::regclass::text !~ '^staging_rows_p\\d{8}$'`,
      `SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS line
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    ];
    const lines: string[] = [];
    for (const q of queries) lines.push(...(await client.query<{ line: string }>(q)).rows.map((r) => r.line));
    return lines.sort();
  } finally {
    await client.end();
  }
}

describe("migrations", () => {
  const admin = inject("adminDatabaseUrl");
  const migrated = inject("databaseUrl");
  const fromSchemaUrl = admin.replace(/\/[^/?]*(\?|$)/, "/ingestion_schema_check$1");

  beforeAll(async () => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ingestion_schema_check WITH (FORCE)`);
    await client.query(`CREATE DATABASE ingestion_schema_check`);
    await client.end();
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ingestion_schema_check WITH (FORCE)`);
    await client.end();
  });

  it("are all applied by migrate deploy", async () => {
    const client = new pg.Client({ connectionString: migrated });
    await client.connect();
    expect(await pendingMigrations(client)).toEqual([]);
    await client.end();
    expect(expectedMigrations().length).toBeGreaterThan(0);
  });

  it("produce exactly the structure that schema.prisma describes (no drift)", async () => {
    const diff = spawnSync(
      process.execPath,
      ["scripts/prisma.mjs", "migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
      { env: { ...process.env, DATABASE_URL: fromSchemaUrl }, encoding: "utf8" },
    );
    expect(diff.status, diff.stderr).toBe(0);
    const client = new pg.Client({ connectionString: fromSchemaUrl });
    await client.connect();
    await client.query(diff.stdout);
    await client.end();
    expect(await catalog(migrated)).toEqual(await catalog(fromSchemaUrl));
  });

  it("partition staging rows by day, each partition spared the vacuum that inserts alone would trigger (schema.prisma cannot say it)", async () => {
    const client = new pg.Client({ connectionString: migrated });
    await client.connect();
    const parent = await client.query(`SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'staging_rows'::regclass`);
    const { rows } = await client.query(
      `SELECT DISTINCT c.reloptions FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'staging_rows'::regclass`,
    );
    await client.end();
    expect(parent.rows).toEqual([{ partstrat: "r" }]);
    expect(rows).toEqual([{ reloptions: ["autovacuum_vacuum_insert_threshold=-1"] }]);
  });
});
