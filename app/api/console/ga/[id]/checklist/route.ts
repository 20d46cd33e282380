import { pool } from "@/lib/db/client";
import { saveGaChecklist } from "@/lib/ga/ga-signoffs";
import { saveChecklistSchema } from "@/lib/ga/ga.schema";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "ga.sign_pm", body: saveChecklistSchema, target: "ga_signoff" }, ({ user, body, params }) =>
  saveGaChecklist(pool(), user, { ...body, id: params.id }),
);
