import { spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { expectedMigrations, pendingMigrations } from "./readiness";

/** The structure of a database as a sorted list of lines: columns, indexes, constraints, enums. */
async function catalog(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const queries = [
      `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' null=' || is_nullable || ' default=' || coalesce(column_default, '') AS line
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
      `SELECT 'index ' || indexdef AS line FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
      `SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'`,
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

  it("spare staging rows the vacuum that inserts alone would trigger (schema.prisma cannot say it)", async () => {
    const client = new pg.Client({ connectionString: migrated });
    await client.connect();
    const { rows } = await client.query(`SELECT reloptions FROM pg_class WHERE oid = 'staging_rows'::regclass`);
    await client.end();
    expect(rows[0].reloptions).toEqual(["autovacuum_vacuum_insert_threshold=-1"]);
  });
});
