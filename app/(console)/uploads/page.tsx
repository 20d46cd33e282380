import { UploadsView } from "@/components/uploads-view";
import { listUploads, parseUploadFilters } from "@/lib/uploads/list-uploads";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ searchParams }) => {
  let filters;
  try {
    filters = parseUploadFilters(searchParams);
  } catch (error) {
    return (
      <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800">
        Bad filter in the URL: {(error as Error).message} <a className="underline" href="/uploads">Clear filters</a>
      </p>
    );
  }
  const [list, workspaces] = await Promise.all([listUploads(pool(), filters), pool().query<{ slug: string }>(`SELECT slug FROM workspaces ORDER BY slug`)]);
  return <UploadsView filters={filters} initial={list} workspaces={workspaces.rows.map((w) => w.slug)} />;
});
