import { authenticateApiKey } from "@/lib/auth/api-keys";
import { pool, prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { takeToken } from "./rate-limit";
import { errorResponse, json } from "./respond";
import { parseRouteIds } from "./route-params";

type ApiKeyRecord = Awaited<ReturnType<typeof authenticateApiKey>>;

/** The client API surface: workspace API key, rate limit per key, one domain call, one error mapping. */
export function apiKeyRoute(
  handler: (ctx: { apiKey: ApiKeyRecord; request: Request; params: Record<string, string> }) => Promise<{ status?: number; body: unknown }>,
) {
  return async (request: Request, context: { params: Promise<Record<string, string>> }) => {
    try {
      const apiKey = await authenticateApiKey(prisma(), request.headers.get("authorization"));
      await takeToken(pool(), `api-key:${apiKey.id}`, env().RATE_LIMIT_PER_MINUTE);
      const result = await handler({ apiKey, request, params: parseRouteIds((await context.params) ?? {}) });
      return json(result.body, { status: result.status ?? 200 });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
