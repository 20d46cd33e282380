import { setWorkerFreeze } from "@/lib/controls/change-control";
import { freezeChangeSchema } from "@/lib/controls/control.schema";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "controls.freeze_worker", body: freezeChangeSchema, target: "control" }, ({ user, body }) =>
  setWorkerFreeze(pool(), user, body),
);
