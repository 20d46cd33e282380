import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { forceFailUpload } from "@/lib/uploads/force-fail-upload";
import { forceFailSchema } from "@/lib/uploads/upload-actions.schema";

export const POST = consoleRoute({ permission: "upload.force_fail", body: forceFailSchema, target: "upload" }, ({ user, body, params }) =>
  forceFailUpload(pool(), user, { ...body, uploadId: params.id }),
);
