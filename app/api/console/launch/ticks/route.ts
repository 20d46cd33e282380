import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { launchTickSchema } from "@/lib/launch/launch.schema";
import { tickLaunchItem } from "@/lib/launch/record-launch";

export const POST = consoleRoute({ permission: "launch.check", body: launchTickSchema, target: "launch_item" }, ({ user, body }) =>
  tickLaunchItem(pool(), user, body),
);
