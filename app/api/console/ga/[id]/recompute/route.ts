import { pool } from "@/lib/db/client";
import { recomputeGaSignoff } from "@/lib/ga/ga-signoffs";
import { recomputeSchema } from "@/lib/ga/ga.schema";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "ga.sign_pm", body: recomputeSchema, target: "ga_signoff" }, ({ user, body, params }) =>
  recomputeGaSignoff(pool(), user, { ...body, id: params.id }),
);
