import type pg from "pg";

/**
 * The simulation's virtual clock, shared by JavaScript and SQL as one offset from the real clock.
 *
 * JavaScript: `Date` is replaced in this process by a subclass whose `Date.now()` and argument-less
 * `new Date()` answer real time + offset, so every decision the application takes from the clock
 * (leases, windows, escalation, breaker cool-downs, session expiry) follows virtual time without a
 * line of the application changing. SQL: the simulation's own database gets a schema `sim` with
 * `sim.now()` (and its siblings) reading the same offset from `sim.clock`, placed before pg_catalog
 * on the database's search_path, so the application's unqualified `now()` is the virtual one.
 *
 * Time only moves forward: `advanceTo` raises the offset so that "now" is the target (or stays where
 * it is when real work already carried it past), and real time keeps running between steps, so a
 * worker's measured durations stay real.
 */
const RealDate = Date;
const holder = globalThis as unknown as { __simOffsetMs?: number; __simDateInstalled?: boolean };

export const offsetMs = () => holder.__simOffsetMs ?? 0;
export const realNow = () => RealDate.now();
export const virtualNow = () => RealDate.now() + offsetMs();

/** Replaces the global Date (once per process) by one that follows the offset. */
export function installVirtualDate(initialOffsetMs = 0) {
  holder.__simOffsetMs = initialOffsetMs;
  if (holder.__simDateInstalled) return;
  holder.__simDateInstalled = true;
  // A constructor function (not a subclass): `Date()` called without `new` must answer a string, and
  // instances stay plain Dates (same prototype), so `instanceof Date` holds on either side.
  function VirtualDate(this: unknown, ...args: unknown[]) {
    if (!new.target) return new RealDate(RealDate.now() + offsetMs()).toString();
    return args.length === 0 ? new RealDate(RealDate.now() + offsetMs()) : new RealDate(...(args as [number]));
  }
  VirtualDate.prototype = RealDate.prototype;
  VirtualDate.now = () => RealDate.now() + offsetMs();
  VirtualDate.parse = RealDate.parse;
  VirtualDate.UTC = RealDate.UTC;
  globalThis.Date = VirtualDate as unknown as DateConstructor;
}

/** Moves virtual time forward to `targetMs` (never backwards); answers the new virtual now. */
export function advanceTo(targetMs: number): number {
  const now = virtualNow();
  if (targetMs > now) holder.__simOffsetMs = offsetMs() + (targetMs - now);
  return virtualNow();
}

/** Writes the current offset where SQL reads it. */
export async function syncSqlClock(db: pg.Pool | pg.Client) {
  await db.query(`UPDATE sim.clock SET offset_ms = $1`, [Math.round(offsetMs())]);
}

/** Reads the offset SQL holds (a child process joins the simulation's time this way). */
export async function readSqlOffset(db: pg.Pool | pg.Client): Promise<number> {
  const { rows } = await db.query<{ offset_ms: string }>(`SELECT offset_ms::text FROM sim.clock`);
  return Number(rows[0].offset_ms);
}

/**
 * Installs the SQL side on a freshly migrated database: the clock table, the virtual now() family,
 * the search_path that puts them first, and every column default that read the real clock
 * (Prisma writes DEFAULT CURRENT_TIMESTAMP, bound at migration time) rewritten to sim.now().
 * Answers the columns it rewrote.
 */
export async function installSqlClock(db: pg.Client, database: string): Promise<string[]> {
  await db.query(`
    CREATE SCHEMA IF NOT EXISTS sim;
    CREATE TABLE IF NOT EXISTS sim.clock (id boolean PRIMARY KEY DEFAULT true CHECK (id), offset_ms bigint NOT NULL);
    INSERT INTO sim.clock (offset_ms) VALUES (0) ON CONFLICT (id) DO NOTHING;
    CREATE OR REPLACE FUNCTION sim.now() RETURNS timestamptz LANGUAGE sql STABLE
      AS $$ SELECT pg_catalog.now() + offset_ms * interval '1 millisecond' FROM sim.clock $$;
    CREATE OR REPLACE FUNCTION sim.transaction_timestamp() RETURNS timestamptz LANGUAGE sql STABLE
      AS $$ SELECT pg_catalog.transaction_timestamp() + offset_ms * interval '1 millisecond' FROM sim.clock $$;
    CREATE OR REPLACE FUNCTION sim.statement_timestamp() RETURNS timestamptz LANGUAGE sql STABLE
      AS $$ SELECT pg_catalog.statement_timestamp() + offset_ms * interval '1 millisecond' FROM sim.clock $$;
    CREATE OR REPLACE FUNCTION sim.clock_timestamp() RETURNS timestamptz LANGUAGE sql VOLATILE
      AS $$ SELECT pg_catalog.clock_timestamp() + offset_ms * interval '1 millisecond' FROM sim.clock $$;
    GRANT USAGE ON SCHEMA sim TO PUBLIC;
    GRANT SELECT ON sim.clock TO PUBLIC;
  `);
  await db.query(`ALTER DATABASE "${database.replaceAll('"', "")}" SET search_path = sim, pg_catalog, public`);
  const { rows } = await db.query<{ table_name: string; column_name: string; expr: string }>(`
    SELECT c.relname AS table_name, a.attname AS column_name, pg_get_expr(d.adbin, d.adrelid) AS expr
      FROM pg_attrdef d
      JOIN pg_class c ON c.oid = d.adrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
      JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
     WHERE pg_get_expr(d.adbin, d.adrelid) ~* '(CURRENT_TIMESTAMP|now\\(\\)|clock_timestamp|CURRENT_DATE)'`);
  const rewritten: string[] = [];
  for (const r of rows) {
    const virtual = r.expr
      .replace(/CURRENT_TIMESTAMP(\(\d+\))?/gi, "sim.now()")
      .replace(/(?<![.\w])now\(\)/gi, "sim.now()")
      .replace(/(?<![.\w])clock_timestamp\(\)/gi, "sim.clock_timestamp()")
      .replace(/CURRENT_DATE/gi, "(sim.now())::date");
    await db.query(`ALTER TABLE public."${r.table_name}" ALTER COLUMN "${r.column_name}" SET DEFAULT ${virtual}`);
    rewritten.push(`${r.table_name}.${r.column_name}: ${r.expr} → ${virtual}`);
  }
  return rewritten;
}
