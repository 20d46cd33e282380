import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { setSlackUserId } from "@/lib/roster/roster";
import { slackIdSchema } from "@/lib/roster/roster.schema";

export const POST = consoleRoute({ permission: "roster.edit", body: slackIdSchema, target: "user" }, ({ user, body }) =>
  setSlackUserId(pool(), user, body.userId, body.slackUserId),
);
