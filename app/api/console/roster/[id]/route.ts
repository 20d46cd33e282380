import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { updateShift } from "@/lib/roster/roster";
import { shiftUpdateSchema } from "@/lib/roster/roster.schema";

export const POST = consoleRoute({ permission: "roster.edit", body: shiftUpdateSchema, target: "oncall_shift" }, ({ user, body, params }) =>
  updateShift(pool(), user, params.id, body),
);
