import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { resumeUpload } from "@/lib/uploads/resume-upload";
import { resumeSchema } from "@/lib/uploads/upload-actions.schema";

export const POST = consoleRoute({ permission: "upload.resume", body: resumeSchema, target: "upload" }, ({ user, body, params }) =>
  resumeUpload(pool(), user, { ...body, uploadId: params.id }),
);
