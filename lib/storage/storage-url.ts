import path from "node:path";

export type StorageLocation = { kind: "file"; root: string } | { kind: "s3"; bucket: string; prefix?: string };

/** STORAGE_URL (validated in lib/env.ts) to a location; unset means DATA_DIR/files. */
export function parseStorageUrl(url: string | undefined, dataDir: string): StorageLocation {
  if (!url) return { kind: "file", root: path.resolve(dataDir, "files") };
  if (url.startsWith("file://")) return { kind: "file", root: path.resolve(url.slice("file://".length)) };
  const [bucket, ...rest] = url.slice("s3://".length).split("/");
  const prefix = rest.join("/").replace(/^\/+|\/+$/g, "");
  return prefix ? { kind: "s3", bucket, prefix } : { kind: "s3", bucket };
}
