import { setRollout } from "@/lib/controls/change-control";
import { rolloutChangeSchema } from "@/lib/controls/control.schema";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "controls.rollout", body: rolloutChangeSchema, target: "control" }, ({ user, body }) =>
  setRollout(pool(), user, body),
);
