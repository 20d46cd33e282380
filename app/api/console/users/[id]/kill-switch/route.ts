import { setKillSwitchSuspension } from "@/lib/controls/change-control";
import { killSwitchSchema } from "@/lib/controls/control.schema";
import { pool } from "@/lib/db/client";
import { parseUuid } from "@/lib/db/ids";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "controls.suspend_kill_switch", body: killSwitchSchema, target: "user" }, ({ user, body, params }) =>
  setKillSwitchSuspension(pool(), user, { ...body, userId: parseUuid(params.id, "User") }),
);
