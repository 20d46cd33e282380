import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GuardedFileStore } from "./guarded-file-store";
import { getBreaker } from "@/lib/breakers/registry";
import { checkReadiness } from "@/lib/db/readiness";
import { ConfigError, parseEnv } from "@/lib/env";
import { expectedCounts } from "@/lib/testing/generate-file";
import { createWorkspace, pool, resetDatabase } from "@/lib/testing/db";
import { apiKeyFor, drainPipeline, generated, postUpload, startApi } from "@/lib/testing/pipeline";
import { startS3, type TestS3 } from "@/lib/testing/s3";
import { fileStore } from ".";
import { isFileMissing } from "./file-store";
import { S3FileStore } from "./s3-file-store";
import { parseStorageUrl } from "./storage-url";

const PART = 5 * 1024 * 1024;
// Started before anything reads the environment, so the app's own fileStore() is this bucket too.
const s3: TestS3 = await startS3();
Object.assign(process.env, s3.env, { UPLOAD_MAX_BYTES: String(256 * 1024) });
let store: S3FileStore;

const storeFor = (bucket: string, prefix?: string, partBytes = PART) =>
  new S3FileStore({
    bucket,
    prefix,
    partBytes,
    client: { endpoint: s3.endpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } },
  });

async function sha256Of(stream: Readable) {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

const failureOf = (stream: Readable) =>
  new Promise<unknown>((resolve) =>
    stream
      .on("error", resolve)
      .on("end", () => resolve(null))
      .resume(),
  );

/**
 * `parts` parts of pseudo-random bytes, produced on demand. Past the third part it waits until the
 * server holds a part of this upload: a store that buffered the whole file before sending would never
 * get there (the wait times out and the test fails).
 */
function lazyBody(parts: number, options: { failAfterParts?: number; proveStreaming?: boolean } = {}) {
  const hash = createHash("sha256");
  let produced = 0;
  const body = Readable.from(
    (async function* () {
      for (let i = 0; i < parts; i++) {
        if (options.failAfterParts === i) throw new Error("client went away");
        if (options.proveStreaming && i === 3) {
          const deadline = Date.now() + 15_000;
          while (!s3.pendingMultipartUploads().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          if (!s3.pendingMultipartUploads().length) throw new Error("no part reached the server before the body was read 3 parts deep");
        }
        for (let k = 0; k < PART / 65536; k++) {
          const chunk = randomBytes(65536);
          hash.update(chunk);
          produced += chunk.length;
          yield chunk;
        }
      }
    })(),
    { objectMode: false },
  );
  return { body, digest: () => hash.digest("hex"), produced: () => produced };
}

beforeAll(() => {
  store = storeFor(s3.bucket, "tenant-a");
});
afterAll(async () => {
  store?.close();
  await s3?.close();
});

describe("STORAGE_URL", () => {
  it("chooses the local folder by default, a bucket and prefix for s3://, and names a bad value", () => {
    expect(parseStorageUrl(undefined, "/srv/data")).toEqual({ kind: "file", root: "/srv/data/files" });
    expect(parseStorageUrl("file:///var/uploads", "/srv/data")).toEqual({ kind: "file", root: "/var/uploads" });
    expect(parseStorageUrl("s3://acme-ingest", "x")).toEqual({ kind: "s3", bucket: "acme-ingest" });
    expect(parseStorageUrl("s3://acme-ingest/prod/eu/", "x")).toEqual({ kind: "s3", bucket: "acme-ingest", prefix: "prod/eu" });
    const base = { DATABASE_URL: "postgresql://x@y/z" };
    expect(() => parseEnv({ ...base, STORAGE_URL: "s3://Bad_Bucket" })).toThrow(/STORAGE_URL: must be file:\/\/<dir> or s3:\/\/<bucket>/);
    expect(() => parseEnv({ ...base, STORAGE_URL: "gs://bucket" })).toThrow(ConfigError);
    expect(() => parseEnv({ ...base, AWS_ACCESS_KEY_ID: "AKIA" })).toThrow(/AWS_SECRET_ACCESS_KEY must be set together/);
    expect(parseEnv({ ...base, STORAGE_URL: "s3://bkt/p", S3_FORCE_PATH_STYLE: "true" })).toMatchObject({ S3_FORCE_PATH_STYLE: true, AWS_REGION: "us-east-1" });
  });
});

describe("S3FileStore against a real S3 API server", () => {
  it("streams a multipart upload (parts leave before the body is read) and streams it back intact", async () => {
    const { body, digest } = lazyBody(7, { proveStreaming: true });
    await store.put("uploads/2030-01-01/big.csv", body);
    expect(s3.pendingMultipartUploads()).toEqual([]);
    expect(await store.exists("uploads/2030-01-01/big.csv")).toBe(true);
    expect(await sha256Of(store.get("uploads/2030-01-01/big.csv"))).toEqual({ sha256: digest(), bytes: 7 * PART });
    // The prefix keeps tenants apart in one bucket.
    expect(await storeFor(s3.bucket).exists("uploads/2030-01-01/big.csv")).toBe(false);
    expect(await storeFor(s3.bucket).exists("tenant-a/uploads/2030-01-01/big.csv")).toBe(true);
    await store.delete("uploads/2030-01-01/big.csv");
    expect(await store.exists("uploads/2030-01-01/big.csv")).toBe(false);
  });

  it("a body that fails mid-upload fails the put and aborts the multipart upload: no object, no parts left", async () => {
    const { body } = lazyBody(6, { failAfterParts: 3 });
    await expect(store.put("uploads/2030-01-01/broken.csv", body)).rejects.toThrow("client went away");
    expect(s3.pendingMultipartUploads()).toEqual([]);
    expect(await store.exists("uploads/2030-01-01/broken.csv")).toBe(false);
  });

  it("a body destroyed mid-upload (the client disconnected) aborts the multipart upload too", async () => {
    const { body, produced } = lazyBody(6);
    body.on("data", () => {
      if (produced() > 2.5 * PART) body.destroy();
    });
    await expect(store.put("uploads/2030-01-01/gone.csv", body)).rejects.toThrow();
    expect(s3.pendingMultipartUploads()).toEqual([]);
    expect(await store.exists("uploads/2030-01-01/gone.csv")).toBe(false);
  });

  it("a missing object is FILE_MISSING, not a store failure: the breaker stays closed", async () => {
    await resetDatabase();
    const guarded = new GuardedFileStore(store, () => getBreaker("file-store"));
    const error = await failureOf(guarded.get("uploads/none.csv"));
    expect(isFileMissing(error)).toBe(true);
    expect((await getBreaker("file-store").isRefusing()).snapshot.state).toBe("CLOSED");
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM circuit_breaker_events`);
    expect(rows[0].n).toBe(0);
  });

  it("/ready checks the bucket: green when it answers, red naming the bucket when it does not", async () => {
    expect(await checkReadiness(pool(), store)).toMatchObject({ ready: true, checks: expect.arrayContaining([{ name: "storage", ok: true }]) });
    const readiness = await checkReadiness(pool(), storeFor("no-such-bucket"));
    expect(readiness.ready).toBe(false);
    expect(readiness.checks.find((c) => c.name === "storage")).toEqual({
      name: "storage",
      ok: false,
      detail: "unreachable",
      error: "s3://no-such-bucket: no such bucket",
    });
  });
});

describe("intake and parse through STORAGE_URL=s3://…", () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let key: string;
  const bucketStore = () => storeFor(s3.bucket, "uploads-test");

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api?.close());
  beforeEach(async () => {
    await resetDatabase();
    await createWorkspace("acme");
    key = await apiKeyFor("acme");
  });

  it("an upload lands in the bucket, the parse worker reads it from there, and every row is counted", async () => {
    const options = { platform: "google" as const, rows: 1500, invalidEvery: 100 };
    const file = await generated(options);
    const created = await postUpload(api.url, key, file, { workspace_id: "acme", platform: "google" });
    expect(created.status).toBe(201);
    const { rows } = await pool().query(`SELECT storage_key, sha256, size_bytes::int AS size FROM uploads WHERE id = $1`, [created.body.id]);
    expect(rows[0]).toMatchObject({ sha256: createHash("sha256").update(file).digest("hex"), size: file.length });
    expect(await sha256Of(bucketStore().get(rows[0].storage_key))).toEqual({ sha256: rows[0].sha256, bytes: file.length });
    await drainPipeline("2030-01-01");
    const want = expectedCounts(options);
    const upload = await pool().query(`SELECT status, total_rows, valid_rows, invalid_rows, ignored_rows FROM uploads WHERE id = $1`, [created.body.id]);
    expect(upload.rows[0]).toEqual({
      status: "partial",
      total_rows: want.totalRows,
      valid_rows: want.validRows,
      invalid_rows: want.invalidRows,
      ignored_rows: want.ignoredRows,
    });
    expect(fileStore()).toBeInstanceOf(GuardedFileStore);
  });

  it("a file over the size cap is refused with 413 and leaves nothing in the bucket", async () => {
    const before = await objectCount();
    const created = await postUpload(api.url, key, await generated({ platform: "meta", rows: 8000 }), { workspace_id: "acme", platform: "meta" });
    expect(created.status).toBe(413);
    expect(created.body.error.code).toBe("FILE_TOO_LARGE");
    expect(await objectCount()).toBe(before);
    expect(s3.pendingMultipartUploads()).toEqual([]);
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM uploads`);
    expect(rows[0].n).toBe(0);
  });
});

async function objectCount() {
  const { ListObjectsV2Command, S3Client } = await import("@aws-sdk/client-s3");
  const client = new S3Client({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  client.destroy();
  return listed.KeyCount ?? 0;
}
