import { notFound } from "next/navigation";
import { UploadDetailView } from "@/components/upload-detail-view";
import { decide } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { uploadDetail } from "@/lib/console/upload-detail";
import { pool } from "@/lib/db/client";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

export default async function UploadPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  const detail = await uploadDetail(pool(), id).catch((error) => {
    if (error instanceof AppError && error.status === 404) notFound();
    throw error;
  });
  return <UploadDetailView initial={JSON.parse(JSON.stringify(detail))} canForceFail={decide(user, "upload.force_fail")} />;
}
