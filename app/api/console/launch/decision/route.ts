import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { launchDecisionSchema } from "@/lib/launch/launch.schema";
import { decideLaunch } from "@/lib/launch/record-launch";
import { fileStore } from "@/lib/storage";

export const POST = consoleRoute({ permission: "launch.decide", body: launchDecisionSchema, target: "launch" }, ({ user, body }) =>
  decideLaunch(pool(), fileStore(), user, body),
);
