import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { listAcceptedUnknowns, recordAcceptedUnknown } from "@/lib/incidents/accepted-unknowns";
import { acceptedUnknownSchema } from "@/lib/incidents/incident.schema";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, async () => ({ acceptedUnknowns: await listAcceptedUnknowns(pool()) }));
export const POST = consoleRoute({ permission: "incident.accept_unknown", body: acceptedUnknownSchema, target: "accepted_unknown" }, ({ user, body }) =>
  recordAcceptedUnknown(pool(), user, body),
);
