import { UploadDetailView } from "@/components/upload-detail-view";
import { decide } from "@/lib/auth/permissions";
import { uploadDetail } from "@/lib/uploads/upload-detail";
import { pool } from "@/lib/db/client";
import { parseUuid } from "@/lib/db/ids";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user, params }) => {
  const detail = await uploadDetail(pool(), parseUuid(params.id, "Upload"));
  return (
    <UploadDetailView initial={JSON.parse(JSON.stringify(detail))} canForceFail={decide(user, "upload.force_fail")} canResume={decide(user, "upload.resume")} />
  );
});
