import { isIP } from "node:net";
import type pg from "pg";
import { withTransaction } from "@/lib/db/sql";
import { AppError } from "@/lib/errors";

/** Failed sign-ins allowed per email and per client address in one window, kept in PostgreSQL so the limit holds across instances. */
export const SIGN_IN_THROTTLE = { maxFailures: 10, windowSeconds: 15 * 60 } as const;
export type SignInThrottlePolicy = { maxFailures: number; windowSeconds: number };

/** Who is trying: the email typed (lower-cased) and the client address, when one is known. */
export type SignInKeys = { email: string; address: string | null };

type Scope = "email" | "address";

function keyRows(keys: SignInKeys): [Scope, string][] {
  const rows: [Scope, string][] = [["email", keys.email]];
  if (keys.address) rows.push(["address", keys.address]);
  return rows;
}

const expired = `t.window_started_at <= now() - make_interval(secs => $1)`;

/**
 * Takes one attempt from every key's allowance *before* the password is checked, so parallel guesses
 * cannot all slip past a read-then-write check: the attempt counts as a failure until
 * `recordSignInSuccess` gives it back. A window starts at a key's first failure and lasts
 * `windowSeconds`; a key that has used `maxFailures` in it is refused (nothing is taken from any key)
 * with SIGN_IN_THROTTLED and the seconds until its window ends.
 */
export async function reserveSignInAttempt(pool: pg.Pool, keys: SignInKeys, policy: SignInThrottlePolicy = SIGN_IN_THROTTLE): Promise<void> {
  const rows = keyRows(keys);
  const params = [policy.windowSeconds, policy.maxFailures, ...rows.flat()];
  const pairs = rows.map((_, i) => `$${3 + 2 * i}, $${4 + 2 * i}`);
  await pool.query(`DELETE FROM sign_in_throttles t WHERE ${expired}`, [policy.windowSeconds]);
  await withTransaction(pool, async (client) => {
    const taken = await client.query(
      `INSERT INTO sign_in_throttles AS t (scope, key, failures, window_started_at) VALUES ${pairs.map((p) => `(${p}, 1, now())`).join(", ")}
       ON CONFLICT (scope, key) DO UPDATE SET
         failures = CASE WHEN ${expired} THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN ${expired} THEN now() ELSE t.window_started_at END
       WHERE ${expired} OR t.failures < $2`,
      params,
    );
    if (taken.rowCount === rows.length) return;
    const {
      rows: [wait],
    } = await client.query<{ seconds: number | null }>(
      `SELECT ceil(EXTRACT(EPOCH FROM max(t.window_started_at) + make_interval(secs => $1) - now()))::int AS seconds
         FROM sign_in_throttles t
        WHERE (t.scope, t.key) IN (${pairs.map((p) => `(${p})`).join(", ")}) AND t.failures >= $2 AND NOT ${expired}`,
      params,
    );
    // Thrown inside the transaction, so what this refused attempt took from the other key is given back.
    throw signInThrottled(Math.max(1, wait?.seconds ?? policy.windowSeconds));
  });
}

/** The attempt was right: it no longer counts, and the email starts afresh. */
export async function recordSignInSuccess(pool: pg.Pool, keys: SignInKeys): Promise<void> {
  await pool.query(
    `WITH forget_email AS (DELETE FROM sign_in_throttles WHERE scope = 'email' AND key = $1)
     UPDATE sign_in_throttles SET failures = GREATEST(failures - 1, 0) WHERE scope = 'address' AND key = $2`,
    [keys.email, keys.address],
  );
}

export function signInThrottled(retryAfterSeconds: number): AppError {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new AppError("SIGN_IN_THROTTLED", 429, `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, { retryAfterSeconds });
}

/**
 * The client address of a sign-in request: the first hop of X-Forwarded-For, else X-Real-IP (Next's
 * server fills X-Forwarded-For with the socket's address when the request has none). A client can
 * send these headers itself, so in production a trusted proxy in front of the console must set them,
 * overwriting what the client sent (docs/sign-in.md). Anything that is not an IP address is ignored.
 */
export function signInClientAddress(headers: Record<string, unknown> | undefined): string | null {
  const header = (name: string) => {
    const value = headers?.[name];
    return typeof value === "string" ? value : Array.isArray(value) && typeof value[0] === "string" ? value[0] : undefined;
  };
  for (const candidate of [header("x-forwarded-for")?.split(",")[0], header("x-real-ip")]) {
    const address = candidate?.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
    if (address && isIP(address)) return address;
  }
  return null;
}
