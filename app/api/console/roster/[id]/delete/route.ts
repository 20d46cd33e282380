import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { deleteShift } from "@/lib/roster/roster";
import { shiftDeleteSchema } from "@/lib/roster/roster.schema";

export const POST = consoleRoute({ permission: "roster.edit", body: shiftDeleteSchema, target: "oncall_shift" }, ({ user, body, params }) =>
  deleteShift(pool(), user, params.id, body.expectedVersion),
);
