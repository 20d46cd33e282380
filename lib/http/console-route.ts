import "server-only";
import type { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { decide, type Action } from "@/lib/auth/permissions";
import { pool } from "@/lib/db/client";
import { forbidden, unauthorized } from "@/lib/errors";
import { errorResponse, json } from "./respond";
import { parseRouteIds } from "./route-params";

type Context<S extends z.ZodType | undefined> = {
  user: CurrentUser;
  body: S extends z.ZodType ? z.infer<S> : undefined;
  params: Record<string, string>;
  request: Request;
};

/** A state-changing request must come from this console's own origin (Origin: null or another site gets 403). */
function assertSameOrigin(request: Request) {
  const origin = request.headers.get("origin");
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  let originHost: string | null = null;
  try {
    originHost = origin && origin !== "null" ? new URL(origin).host : null;
  } catch {
    originHost = null;
  }
  if (!originHost || originHost !== host) throw forbidden("Cross-origin request refused.", "BAD_ORIGIN");
}

/**
 * The console surface: session user, one required permission, zod-validated JSON body, one domain call.
 * Refused state-changing attempts are written to the audit log.
 */
export function consoleRoute<S extends z.ZodType | undefined = undefined>(
  options: { permission: Action; body?: S; target?: string },
  handler: (ctx: Context<S>) => Promise<unknown>,
) {
  return async (request: Request, context: { params: Promise<Record<string, string>> }): Promise<Response> => {
    try {
      const mutating = request.method !== "GET" && request.method !== "HEAD";
      if (mutating) assertSameOrigin(request);
      const user = await getCurrentUser();
      if (!user) throw unauthorized();
      const params = (await context.params) ?? {};
      const decision = decide(user, options.permission);
      if (!decision.allowed) {
        if (mutating) {
          await recordAudit(pool(), {
            actor: user,
            action: options.permission,
            targetType: options.target ?? "console",
            targetId: params.id ?? null,
            outcome: "refused",
            refusedCode: "FORBIDDEN",
            refusedReason: decision.reason,
          });
        }
        throw forbidden(`Not allowed: ${decision.reason}.`);
      }
      const ids = parseRouteIds(params, options.target);
      const raw = options.body ? await request.json().catch(() => ({})) : undefined;
      const body = (options.body ? options.body.parse(raw) : undefined) as Context<S>["body"];
      const result = await handler({ user, body, params: ids, request });
      return result instanceof Response ? result : json(result ?? { ok: true });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
