import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
// @ts-expect-error s3rver ships no types; the few members used here are typed below.
import S3rverModule from "s3rver";

type Ctx = { method: string; query: Record<string, string>; path: string; status: number; body?: unknown };
type S3rver = {
  middleware: ((ctx: Ctx, next: () => Promise<void>) => Promise<void>)[];
  store: { getResourcePath(bucket: string, key: string | undefined, resource: string): string };
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};
const S3rverClass = S3rverModule as new (options: object) => S3rver;

export type TestS3 = {
  endpoint: string;
  bucket: string;
  directory: string;
  /** Environment for an app instance that uses this server as its store. */
  env: Record<string, string>;
  /** Multipart uploads begun and neither completed nor aborted (their parts are on disk). */
  pendingMultipartUploads(): string[];
  close(): Promise<void>;
};

/**
 * A real S3 HTTP API server (s3rver) on a temporary folder, with one bucket. s3rver does not implement
 * AbortMultipartUpload; the handler added here does what S3 does (drops the upload and its parts), so a
 * test can see whether a failed upload was aborted or left its parts behind.
 */
export async function startS3(bucket = "ingestion-test"): Promise<TestS3> {
  const directory = mkdtempSync(path.join(tmpdir(), "ingestion-s3-"));
  const server = new S3rverClass({ port: 0, address: "127.0.0.1", silent: true, directory, configureBuckets: [{ name: bucket }] });
  const uploadsDir = () => server.store.getResourcePath(bucket, undefined, "uploads");
  server.middleware.unshift(async (ctx, next) => {
    if (ctx.method === "DELETE" && ctx.query.uploadId && ctx.path.startsWith(`/${bucket}/`)) {
      await rm(path.join(uploadsDir(), path.basename(ctx.query.uploadId)), { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    await next();
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    env: {
      STORAGE_URL: `s3://${bucket}/uploads-test`,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: "true",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
    },
    pendingMultipartUploads: () => {
      try {
        return readdirSync(uploadsDir());
      } catch {
        return [];
      }
    },
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
