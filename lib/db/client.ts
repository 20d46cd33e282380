import "server-only";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { env } from "@/lib/env";

type Db = { pool: pg.Pool; prisma: PrismaClient };

// One pool per process, shared by Prisma (through the adapter) and by the COPY / set-based SQL of the
// workers. Kept on globalThis so that dev-mode module reloads do not open a new pool each time.
const holder = globalThis as unknown as { __ingestionDb?: Db };

// Return BIGINT and NUMERIC as strings from raw pg queries; callers convert what they need.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

function create(): Db {
  const pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 10, idleTimeoutMillis: 30_000 });
  pool.on("error", () => {
    // An idle client lost its connection (database restart); the pool replaces it on next use.
  });
  // A client in use that loses its connection (an outage mid-transaction) emits "error" too: without a
  // listener that would crash the process. The query in flight rejects and the caller handles that.
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { pool, prisma };
}

export function db(): Db {
  holder.__ingestionDb ??= create();
  return holder.__ingestionDb;
}

export const prisma = () => db().prisma;
export const pool = () => db().pool;

export async function closeDb(): Promise<void> {
  const current = holder.__ingestionDb;
  holder.__ingestionDb = undefined;
  if (current) {
    await current.prisma.$disconnect();
    await current.pool.end().catch(() => {});
  }
}
