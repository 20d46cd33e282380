import { setMode } from "@/lib/controls/change-control";
import { modeChangeSchema } from "@/lib/controls/control.schema";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

// Everyone who may change the mode at all may drain; setMode checks the halt privilege (or on-call's P1 halt).
export const POST = consoleRoute({ permission: "controls.drain", body: modeChangeSchema, target: "control" }, ({ user, body }) => setMode(pool(), user, body));
