import { pool } from "@/lib/db/client";
import { listGaSignoffs, prepareGaSignoff } from "@/lib/ga/ga-signoffs";
import { prepareSchema } from "@/lib/ga/ga.schema";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, () => listGaSignoffs(pool()));
export const POST = consoleRoute({ permission: "ga.sign_pm", body: prepareSchema, target: "ga_signoff" }, ({ user, body }) =>
  prepareGaSignoff(pool(), user, body),
);
