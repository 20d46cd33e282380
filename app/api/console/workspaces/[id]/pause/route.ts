import { setWorkspacePause } from "@/lib/controls/change-control";
import { workspacePauseSchema } from "@/lib/controls/control.schema";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "controls.workspace_pause", body: workspacePauseSchema, target: "workspace" }, ({ user, body, params }) =>
  setWorkspacePause(pool(), user, { ...body, workspaceId: params.id }),
);
