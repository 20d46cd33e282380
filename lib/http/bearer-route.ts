import { createHash, timingSafeEqual } from "node:crypto";
import { env, type Env } from "@/lib/env";
import { AppError, unauthorized } from "@/lib/errors";
import { errorResponse, json } from "./respond";

const digest = (value: string) => createHash("sha256").update(value).digest();

type Secret = {
  /** The variable holding the shared secret. */
  variable: keyof Pick<Env, "CRON_SECRET" | "METRICS_TOKEN">;
  /** With the variable unset: "closed" refuses every call (503), "open" serves anyone (development metrics). */
  whenUnset: "closed" | "open";
};

/** Bearer <secret>, compared in constant time over digests (equal length whatever is presented). */
export function assertBearer(authorization: string | null, { variable, whenUnset }: Secret, read = () => env()[variable]) {
  const secret = read();
  if (!secret) {
    if (whenUnset === "open") return;
    throw new AppError("BEARER_DISABLED", 503, `${variable} is not configured; this route is closed.`);
  }
  const presented = authorization?.match(/^Bearer\s+(.+)$/i)?.[1] ?? "";
  if (!timingSafeEqual(digest(presented), digest(secret))) throw unauthorized(`A valid bearer token (${variable}) is required.`);
}

/** The machine surface (cron routes, Prometheus scrape): one shared secret, one error mapping. */
export function bearerRoute(secret: Secret, handler: (request: Request) => Promise<Response | unknown>) {
  return async (request: Request): Promise<Response> => {
    try {
      assertBearer(request.headers.get("authorization"), secret);
      const result = await handler(request);
      return result instanceof Response ? result : json(result);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** A worker's cron route: GET and POST with Bearer $CRON_SECRET, answering the run's JSON summary. */
export function cronRoute(run: () => Promise<unknown>) {
  const handler = bearerRoute({ variable: "CRON_SECRET", whenUnset: "closed" }, () => run());
  return { GET: handler, POST: handler };
}
