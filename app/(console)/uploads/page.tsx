import Link from "next/link";
import { UploadsView } from "@/components/uploads-view";
import { decide } from "@/lib/auth/permissions";
import { listUploads, parseUploadFilters } from "@/lib/uploads/list-uploads";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user, searchParams }) => {
  let filters;
  try {
    filters = parseUploadFilters(searchParams);
  } catch (error) {
    return (
      <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800">
        Bad filter in the URL: {(error as Error).message}{" "}
        <Link className="underline" href="/uploads">
          Clear filters
        </Link>
      </p>
    );
  }
  const [list, workspaces] = await Promise.all([listUploads(pool(), filters), pool().query<{ slug: string }>(`SELECT slug FROM workspaces ORDER BY slug`)]);
  const permissions = {
    force_fail: decide(user, "upload.force_fail"),
    resume: decide(user, "upload.resume"),
    acknowledge_partial: decide(user, "partial.acknowledge"),
  };
  return <UploadsView filters={filters} initial={list} workspaces={workspaces.rows.map((w) => w.slug)} permissions={permissions} />;
});
