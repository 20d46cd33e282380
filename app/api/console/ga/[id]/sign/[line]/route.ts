import { pool } from "@/lib/db/client";
import { notFound } from "@/lib/errors";
import { LINE_ACTION, signGaLine } from "@/lib/ga/ga-signoffs";
import { GA_LINES, signSchema, type GaLine } from "@/lib/ga/ga.schema";
import { consoleRoute } from "@/lib/http/console-route";
import { errorResponse } from "@/lib/http/respond";

// One handler per approval line, each requiring that line's own permission: a PM posting to the SRE line gets 403.
const handlers = Object.fromEntries(
  GA_LINES.map((line) => [
    line,
    consoleRoute({ permission: LINE_ACTION[line], body: signSchema, target: "ga_signoff" }, ({ user, body, params }) =>
      signGaLine(pool(), user, { ...body, id: params.id, line }),
    ),
  ]),
) as Record<GaLine, ReturnType<typeof consoleRoute>>;

export async function POST(request: Request, context: { params: Promise<Record<string, string>> }) {
  const { line } = await context.params;
  const handler = handlers[line as GaLine];
  return handler ? handler(request, context) : errorResponse(notFound(`Approval line ${line}`));
}
