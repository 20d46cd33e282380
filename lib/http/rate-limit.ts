import type { Queryable } from "@/lib/db/sql";
import { AppError } from "@/lib/errors";

/**
 * A token bucket per key kept in PostgreSQL, so the limit holds across instances: `perMinute` tokens,
 * refilled continuously; each request takes one. Throws 429 with Retry-After when empty.
 */
export async function takeToken(db: Queryable, key: string, perMinute: number): Promise<void> {
  const refill = `LEAST($2::float8, b.tokens + EXTRACT(EPOCH FROM (clock_timestamp() - b.updated_at)) * $2::float8 / 60.0)`;
  const taken = await db.query(
    `INSERT INTO rate_limit_buckets AS b (key, tokens, updated_at) VALUES ($1, $2::float8 - 1, clock_timestamp())
     ON CONFLICT (key) DO UPDATE SET tokens = ${refill} - 1, updated_at = clock_timestamp() WHERE ${refill} >= 1
     RETURNING tokens`,
    [key, perMinute],
  );
  if (taken.rowCount) return;
  const { rows } = await db.query<{ tokens: number }>(`SELECT ${refill} AS tokens FROM rate_limit_buckets b WHERE key = $1`, [key, perMinute]);
  const missing = 1 - (rows[0]?.tokens ?? 0);
  throw new AppError("RATE_LIMITED", 429, `Rate limit of ${perMinute} requests per minute exceeded for this API key.`, {
    retryAfterSeconds: Math.max(1, (missing * 60) / perMinute),
  });
}
