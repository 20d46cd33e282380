import bcrypt from "bcryptjs";
import { performance } from "node:perf_hooks";
import { beforeEach, describe, expect, it } from "vitest";
import { db, pool, prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { resetDatabase } from "@/lib/testing/db";
import { checkCredentials } from "./check-credentials";
import { authOptions } from "./options";
import { hashPassword } from "./passwords";
import { SIGN_IN_THROTTLE, signInClientAddress } from "./sign-in-throttle";

const PASSWORD = "correct horse battery";
const attempt = (email: string, password: string, address: string | null = "198.51.100.1") => checkCredentials(db(), { email, password, address });

async function outcome(promise: Promise<unknown>): Promise<"ok" | "wrong" | "throttled"> {
  try {
    return (await promise) ? "ok" : "wrong";
  } catch (error) {
    if (error instanceof AppError && error.code === "SIGN_IN_THROTTLED") return "throttled";
    throw error;
  }
}

const throttleRows = async () =>
  (await pool().query<{ scope: string; key: string; failures: number }>(`SELECT scope, key, failures FROM sign_in_throttles ORDER BY scope, key`)).rows;

beforeEach(async () => {
  await resetDatabase();
  await pool().query(`TRUNCATE sign_in_throttles`);
  await prisma().user.create({ data: { email: "ana@example.com", roles: ["oncall"], passwordHash: await hashPassword(PASSWORD) } });
});

describe("email and password sign-in", () => {
  it("signs in with the right password and refuses a wrong one or an unknown email", async () => {
    expect(await attempt("ana@example.com", PASSWORD)).toMatchObject({ email: "ana@example.com" });
    expect(await attempt("ana@example.com", "wrong")).toBeNull();
    expect(await attempt("nobody@example.com", PASSWORD)).toBeNull();
  });

  it("after 10 failures for one email refuses even the right password, saying when to try again", async () => {
    for (let i = 0; i < SIGN_IN_THROTTLE.maxFailures; i++)
      expect(await outcome(attempt("ana@example.com", `guess ${i}`, `198.51.100.${i + 10}`))).toBe("wrong");
    const refused = await attempt("ana@example.com", PASSWORD, "198.51.100.99").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "SIGN_IN_THROTTLED", status: 429, message: "Too many failed sign-ins. Try again in 15 minutes." });
    expect((refused as AppError).details?.retryAfterSeconds).toBeGreaterThan(14 * 60);
    expect((refused as AppError).details?.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    // Another account is not affected.
    await prisma().user.create({ data: { email: "bo@example.com", roles: ["viewer"], passwordHash: await hashPassword(PASSWORD) } });
    expect(await outcome(attempt("bo@example.com", PASSWORD, "198.51.100.99"))).toBe("ok");
  });

  it("throttles an unknown email exactly like a real one (no hint which accounts exist)", async () => {
    const results = [];
    for (let i = 0; i <= SIGN_IN_THROTTLE.maxFailures; i++) results.push(await outcome(attempt("nobody@example.com", `guess ${i}`, `198.51.100.${i + 10}`)));
    expect(results).toEqual([...Array(SIGN_IN_THROTTLE.maxFailures).fill("wrong"), "throttled"]);
  });

  it("after 10 failures from one client address refuses every email from it, but not from elsewhere", async () => {
    for (let i = 0; i < SIGN_IN_THROTTLE.maxFailures; i++) expect(await outcome(attempt(`user${i}@example.com`, "guess", "203.0.113.7"))).toBe("wrong");
    expect(await outcome(attempt("ana@example.com", PASSWORD, "203.0.113.7"))).toBe("throttled");
    expect(await outcome(attempt("ana@example.com", PASSWORD, "203.0.113.8"))).toBe("ok");
  });

  it("a refused attempt takes nothing from the other key's allowance", async () => {
    for (let i = 0; i < SIGN_IN_THROTTLE.maxFailures; i++) await attempt("ana@example.com", "guess", `198.51.100.${i + 10}`);
    expect(await outcome(attempt("ana@example.com", PASSWORD, "203.0.113.7"))).toBe("throttled");
    expect((await throttleRows()).find((r) => r.key === "203.0.113.7")).toBeUndefined();
  });

  it("a successful sign-in clears the email's failures and does not count against the address", async () => {
    for (let i = 0; i < SIGN_IN_THROTTLE.maxFailures - 1; i++) await attempt("ana@example.com", "guess");
    expect(await outcome(attempt("ana@example.com", PASSWORD))).toBe("ok");
    expect(await throttleRows()).toEqual([{ scope: "address", key: "198.51.100.1", failures: SIGN_IN_THROTTLE.maxFailures - 1 }]);
    expect(await outcome(attempt("ana@example.com", "guess", "198.51.100.2"))).toBe("wrong");
  });

  it("lets the email in again once its window has ended", async () => {
    for (let i = 0; i < SIGN_IN_THROTTLE.maxFailures; i++) await attempt("ana@example.com", "guess", `198.51.100.${i + 10}`);
    expect(await outcome(attempt("ana@example.com", PASSWORD, "198.51.100.99"))).toBe("throttled");
    await pool().query(`UPDATE sign_in_throttles SET window_started_at = now() - interval '15 minutes 1 second'`);
    expect(await outcome(attempt("ana@example.com", PASSWORD, "198.51.100.99"))).toBe("ok");
  });

  it("parallel guesses get no more than 10 password checks between them", async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => outcome(attempt("ana@example.com", `guess ${i}`, `198.51.100.${i + 10}`))));
    expect(results.filter((r) => r === "wrong")).toHaveLength(SIGN_IN_THROTTLE.maxFailures);
    expect(results.filter((r) => r === "throttled")).toHaveLength(30 - SIGN_IN_THROTTLE.maxFailures);
  });

  it("spends the same bcrypt time on an unknown email, or a user without a password, as on a wrong password", async () => {
    await prisma().user.create({ data: { email: "sso-only@example.com", roles: ["viewer"] } });
    const time = async (email: string) => {
      const started = performance.now();
      await attempt(email, "wrong password", null);
      return performance.now() - started;
    };
    await time("warm-up@example.com");
    const samples: Record<string, number[]> = { known: [], unknown: [], ssoOnly: [] };
    for (let i = 0; i < 7; i++) {
      // Interleaved, so a burst of load on the machine hits all three alike; fresh emails stay under the throttle.
      await pool().query(`TRUNCATE sign_in_throttles`);
      samples.known.push(await time("ana@example.com"));
      samples.unknown.push(await time(`nobody-${i}@example.com`));
      samples.ssoOnly.push(await time("sso-only@example.com"));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    // Without the stand-in comparison an unknown email answers in ~1 ms against ~50 ms or more for bcrypt.
    expect(median(samples.unknown)).toBeGreaterThan(median(samples.known) * 0.5);
    expect(median(samples.ssoOnly)).toBeGreaterThan(median(samples.known) * 0.5);
    expect(bcrypt.getRounds((await prisma().user.findUniqueOrThrow({ where: { email: "ana@example.com" } })).passwordHash!)).toBe(10);
  });
});

describe("next-auth's credentials authorize", () => {
  const authorize = () => {
    const provider = authOptions().providers.find((p) => p.id === "credentials") as unknown as {
      options: { authorize: (c: unknown, r: unknown) => Promise<unknown> };
    };
    return provider.options.authorize;
  };

  it("throttles by the first X-Forwarded-For hop and puts only a code in the error it throws", async () => {
    const request = { headers: { "x-forwarded-for": "192.0.2.44, 10.0.0.1" } };
    for (let i = 0; i < SIGN_IN_THROTTLE.maxFailures; i++) expect(await authorize()({ email: `u${i}@example.com`, password: "guess" }, request)).toBeNull();
    expect(await throttleRows()).toContainEqual({ scope: "address", key: "192.0.2.44", failures: SIGN_IN_THROTTLE.maxFailures });
    await expect(authorize()({ email: "ANA@example.com ", password: PASSWORD }, request)).rejects.toThrow(/^SignInThrottled:15$/);
    expect(await authorize()({ email: "ANA@example.com ", password: PASSWORD }, { headers: { "x-real-ip": "192.0.2.45" } })).toMatchObject({
      email: "ana@example.com",
    });
  });

  it("refuses a malformed post without counting it", async () => {
    expect(await authorize()({ email: "", password: "x" }, { headers: {} })).toBeNull();
    expect(await authorize()({ email: "ana@example.com" }, { headers: {} })).toBeNull();
    expect(await throttleRows()).toEqual([]);
  });
});

describe("the client address of a sign-in", () => {
  it("is the first X-Forwarded-For hop, else X-Real-IP, and only ever an IP address", () => {
    expect(signInClientAddress({ "x-forwarded-for": " 203.0.113.5 , 10.0.0.2", "x-real-ip": "10.9.9.9" })).toBe("203.0.113.5");
    expect(signInClientAddress({ "x-forwarded-for": "::ffff:203.0.113.5" })).toBe("203.0.113.5");
    expect(signInClientAddress({ "x-forwarded-for": "2001:db8::1" })).toBe("2001:db8::1");
    expect(signInClientAddress({ "x-forwarded-for": "not-an-ip", "x-real-ip": "198.51.100.3" })).toBe("198.51.100.3");
    expect(signInClientAddress({ "x-forwarded-for": "<script>" })).toBeNull();
    expect(signInClientAddress(undefined)).toBeNull();
  });
});
