import { setMode } from "@/lib/controls/change-control";
import { modeChangeSchema } from "@/lib/controls/control.schema";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

// Everyone who may halt at all holds controls.halt_p1; setMode refuses a non-P1 halt to on-call.
export const POST = consoleRoute({ permission: "controls.drain", body: modeChangeSchema, target: "control" }, ({ user, body }) =>
  setMode(pool(), user, body),
);
