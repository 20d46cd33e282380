import { UploadsView } from "@/components/uploads-view";
import { listUploads, parseUploadFilters } from "@/lib/console/list-uploads";
import { pool } from "@/lib/db/client";

export const dynamic = "force-dynamic";

export default async function UploadsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  let filters;
  try {
    filters = parseUploadFilters(await searchParams);
  } catch (error) {
    return (
      <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800">
        Bad filter in the URL: {(error as Error).message} <a className="underline" href="/uploads">Clear filters</a>
      </p>
    );
  }
  const [list, workspaces] = await Promise.all([listUploads(pool(), filters), pool().query<{ slug: string }>(`SELECT slug FROM workspaces ORDER BY slug`)]);
  return <UploadsView filters={filters} initial={list} workspaces={workspaces.rows.map((w) => w.slug)} />;
}
