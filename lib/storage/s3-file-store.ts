import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { assertStorageKey, fileMissing, READ_CHUNK_BYTES, type FileStore } from "./file-store";

/** 8 MiB parts (S3's minimum is 5 MiB): with two in flight, an upload holds at most about 24 MiB. */
export const S3_PART_BYTES = 8 * 1024 * 1024;

export type S3StoreOptions = {
  bucket: string;
  /** Keys live under this prefix (no leading or trailing slash), so one bucket can serve several deployments. */
  prefix?: string;
  client: S3ClientConfig;
  partBytes?: number;
  /** HEAD on the bucket gives up after this long, so /ready answers even when the store hangs. */
  pingTimeoutMs?: number;
};

const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
const isNotFound = (error: unknown) => statusOf(error) === 404 || ["NoSuchKey", "NotFound"].includes((error as Error)?.name);

/**
 * Uploaded files in any S3-compatible object store (AWS S3, MinIO, R2, …). Writes are streamed
 * multipart uploads: only the parts in flight are in memory, and a body that fails or is destroyed
 * makes the SDK's read of it throw, upon which the SDK aborts the multipart upload, so no parts
 * are left behind. Reads stream the object's body.
 */
export class S3FileStore implements FileStore {
  private readonly client: S3Client;

  constructor(private readonly options: S3StoreOptions) {
    this.client = new S3Client({
      // S3-compatible servers do not all accept the CRC checksums the SDK adds by default.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...options.client,
    });
  }

  private objectKey(key: string) {
    assertStorageKey(key);
    return this.options.prefix ? `${this.options.prefix}/${key}` : key;
  }

  async put(key: string, body: Readable) {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: this.objectKey(key), Body: body, ContentType: "text/csv" },
      partSize: this.options.partBytes ?? S3_PART_BYTES,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  /** The stream is returned at once; a missing object fails it with an ENOENT error, like a missing local file. */
  get(key: string): Readable {
    const out = new PassThrough({ highWaterMark: READ_CHUNK_BYTES });
    const request = new AbortController();
    out.once("close", () => request.abort());
    this.client
      .send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }), { abortSignal: request.signal })
      .then(
        ({ Body }) => pipeline(Body as Readable, out),
        (error) => out.destroy(isNotFound(error) ? fileMissing(key) : error),
      )
      .catch(() => {}); // pipeline has already destroyed `out` with the error, which is where the reader sees it
    return out;
  }

  async delete(key: string) {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
  }

  async exists(key: string) {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async ping() {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }), { abortSignal: AbortSignal.timeout(this.options.pingTimeoutMs ?? 5000) });
    } catch (error) {
      const status = statusOf(error);
      const why = status === 404 ? "no such bucket" : status === 403 ? "access denied" : (error as Error).message || (error as Error).name;
      throw new Error(`s3://${this.options.bucket}: ${why}`);
    }
  }

  close() {
    this.client.destroy();
  }
}
