import { timingSafeEqual, createHash } from "node:crypto";
import { env } from "@/lib/env";
import { AppError, unauthorized } from "@/lib/errors";
import { errorResponse, json } from "./respond";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Bearer $CRON_SECRET, compared in constant time; with no secret configured every call is refused. */
export function assertCronSecret(authorization: string | null) {
  const secret = env().CRON_SECRET;
  if (!secret) throw new AppError("CRON_DISABLED", 503, "CRON_SECRET is not configured; worker routes are closed.");
  const presented = authorization?.match(/^Bearer\s+(.+)$/i)?.[1] ?? "";
  if (!timingSafeEqual(digest(presented), digest(secret))) throw unauthorized("A valid cron secret is required.");
}

export function cronRoute(run: () => Promise<unknown>) {
  const handler = async (request: Request) => {
    try {
      assertCronSecret(request.headers.get("authorization"));
      return json(await run());
    } catch (error) {
      return errorResponse(error);
    }
  };
  return { GET: handler, POST: handler };
}
