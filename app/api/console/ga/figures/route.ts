import { pool } from "@/lib/db/client";
import { computeGaFigures } from "@/lib/ga/compute-ga-figures";
import { figuresQuerySchema } from "@/lib/ga/ga.schema";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, ({ request }) =>
  computeGaFigures(pool(), figuresQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))),
);
