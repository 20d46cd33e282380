import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { createShift, rosterView } from "@/lib/roster/roster";
import { shiftInputSchema } from "@/lib/roster/roster.schema";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, () => rosterView(pool()));
export const POST = consoleRoute({ permission: "roster.edit", body: shiftInputSchema, target: "oncall_shift" }, ({ user, body }) =>
  createShift(pool(), user, body),
);
