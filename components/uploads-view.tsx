"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { BulkAction } from "@/lib/uploads/bulk-actions";
import type { UploadFilters, UploadList } from "@/lib/uploads/list-uploads";
import { useLive } from "./api";
import { BulkUploadActions } from "./bulk-upload-actions";
import type { Permission } from "./guarded-button";
import { Empty, ErrorBox, FilterSelect, Freshness, PageHeader, RelativeTime, StatusBadge } from "./ui";

const STATUSES = ["pending", "processing", "staged", "promoting", "completed", "partial", "failed"];

function query(filters: Partial<UploadFilters>, patch: Partial<UploadFilters> = {}) {
  const merged = { ...filters, ...patch };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) {
    if (
      v === undefined ||
      v === "" ||
      (k === "page" && v === 1) ||
      (k === "sort" && v === "created") ||
      (k === "dir" && v === "desc") ||
      (k === "pageSize" && v === 50)
    )
      continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

export function UploadsView({
  filters,
  initial,
  workspaces,
  permissions,
}: {
  filters: UploadFilters;
  initial: UploadList;
  workspaces: string[];
  permissions: Record<BulkAction, Permission>;
}) {
  const router = useRouter();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const qs = query(filters);
  const { data, error, dataUpdatedAt } = useLive<UploadList>(["uploads", qs], `/api/console/uploads${qs}`, initial);
  const list = data ?? initial;
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  const onPage = list.uploads.map((u) => u.id);
  const pageAllSelected = onPage.length > 0 && onPage.every((id) => selected.has(id));
  const toggle = (id: string, on: boolean) => {
    setAllMatching(false);
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };
  const { page: _page, pageSize: _size, sort: _sort, dir: _dir, ...filterOnly } = filters;
  const selection = allMatching ? { filter: filterOnly } : { ids: [...selected] };

  const sortLink = (column: UploadFilters["sort"], label: string) => {
    const active = filters.sort === column;
    const dir = active && filters.dir === "desc" ? "asc" : "desc";
    return (
      <th className="p-2" aria-sort={active ? (filters.dir === "asc" ? "ascending" : "descending") : "none"}>
        <Link href={`/uploads${query(filters, { sort: column, dir, page: 1 })}`} className="hover:underline">
          {label} {active ? (filters.dir === "asc" ? "▲" : "▼") : ""}
        </Link>
      </th>
    );
  };

  return (
    <div>
      <PageHeader title="Uploads">
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </PageHeader>
      <form
        aria-label="Filter uploads"
        className="mb-3 flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm"
        onSubmit={(event) => {
          event.preventDefault();
          const form = Object.fromEntries(new FormData(event.currentTarget)) as Partial<UploadFilters>;
          router.push(`/uploads${query({ ...form, sort: filters.sort, dir: filters.dir })}`);
        }}
      >
        <FilterSelect name="status" label="Status" value={filters.status} options={STATUSES} />
        <FilterSelect name="workspace" label="Workspace" value={filters.workspace} options={workspaces} />
        <FilterSelect name="platform" label="Platform" value={filters.platform} options={["meta", "google", "tiktok"]} />
        <FilterSelect name="source" label="Source" value={filters.source} options={["manual", "api", "scheduled"]} />
        <label className="flex flex-col">
          From
          <input type="date" name="from" defaultValue={filters.from} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <label className="flex flex-col">
          To
          <input type="date" name="to" defaultValue={filters.to} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <label className="flex flex-col">
          File name
          <input type="search" name="q" defaultValue={filters.q} placeholder="contains…" className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white">
          Apply
        </button>
        <Link href="/uploads" className="px-2 py-1.5 underline">
          Clear
        </Link>
      </form>
      <ErrorBox error={error} />
      {(allMatching || selected.size > 0) && (
        <>
          <p className="mb-1 text-sm">
            {allMatching ? (
              <>All {list.total.toLocaleString("en-US")} uploads matching the filter are selected. </>
            ) : (
              <>
                {selected.size} selected.{" "}
                {list.total > selected.size && (
                  <button type="button" className="text-blue-700 underline" onClick={() => setAllMatching(true)}>
                    Select all {list.total.toLocaleString("en-US")} matching the filter
                  </button>
                )}{" "}
              </>
            )}
            <button
              type="button"
              className="underline"
              onClick={() => {
                setAllMatching(false);
                setSelected(new Set());
              }}
            >
              Clear selection
            </button>
          </p>
          <BulkUploadActions
            key={allMatching ? "all" : [...selected].sort().join(",")}
            selection={selection}
            count={allMatching ? `All ${list.total.toLocaleString("en-US")} matching` : `${selected.size} selected`}
            permissions={permissions}
          />
        </>
      )}
      {list.uploads.length === 0 ? (
        <Empty>No uploads match these filters.</Empty>
      ) : (
        <table className="w-full border-collapse bg-white text-sm">
          <thead>
            <tr className="border-b text-left text-slate-600">
              <th className="p-2">
                <input
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={allMatching || pageAllSelected}
                  onChange={(e) => {
                    setAllMatching(false);
                    setSelected(e.target.checked ? new Set([...selected, ...onPage]) : new Set([...selected].filter((id) => !onPage.includes(id))));
                  }}
                />
              </th>
              {sortLink("created", "Created")}
              {sortLink("status", "Status")}
              {sortLink("workspace", "Workspace")}
              <th className="p-2">Platform</th>
              <th className="p-2">Source</th>
              {sortLink("file", "File")}
              {sortLink("rows", "Rows (valid / invalid / ignored)")}
              <th className="p-2">Promoted</th>
              <th className="p-2">Error</th>
            </tr>
          </thead>
          <tbody>
            {list.uploads.map((u) => (
              <tr key={u.id} className={`border-b hover:bg-slate-50 ${u.status === "failed" ? "bg-red-50/40" : ""}`}>
                <td className="p-2">
                  <input
                    type="checkbox"
                    aria-label={`Select ${u.fileName}`}
                    checked={allMatching || selected.has(u.id)}
                    onChange={(e) => toggle(u.id, e.target.checked)}
                  />
                </td>
                <td className="p-2 whitespace-nowrap">
                  <RelativeTime value={u.createdAt} />
                </td>
                <td className="p-2">
                  <StatusBadge status={u.status} />
                </td>
                <td className="p-2">{u.workspace}</td>
                <td className="p-2">{u.platform}</td>
                <td className="p-2">{u.source}</td>
                <td className="p-2">
                  <Link href={`/uploads/${u.id}`} className="font-medium text-blue-700 underline">
                    {u.fileName}
                  </Link>
                </td>
                <td className="p-2 font-mono">
                  {u.totalRows} ({u.validRows} / {u.invalidRows} / {u.ignoredRows})
                </td>
                <td className="p-2 font-mono">{u.promotedRows}</td>
                <td className="p-2 text-red-700">{u.errorCode ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Pages" className="mt-3 flex items-center gap-3 text-sm">
        <span>
          {list.total.toLocaleString("en-US")} uploads · page {list.page} of {pages}
        </span>
        {list.page > 1 && (
          <Link className="underline" href={`/uploads${query(filters, { page: list.page - 1 })}`}>
            ← Previous
          </Link>
        )}
        {list.page < pages && (
          <Link className="underline" href={`/uploads${query(filters, { page: list.page + 1 })}`}>
            Next →
          </Link>
        )}
      </nav>
    </div>
  );
}
