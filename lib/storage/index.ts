import { GuardedFileStore } from "./guarded-file-store";
import { getBreaker } from "@/lib/breakers/registry";
import { env, type Env } from "@/lib/env";
import { LocalFileStore, type FileStore } from "./file-store";
import { S3FileStore } from "./s3-file-store";
import { parseStorageUrl } from "./storage-url";

/** The store STORAGE_URL names, with the standard AWS variables plus S3_ENDPOINT / S3_FORCE_PATH_STYLE. */
export function createFileStore(config: Env = env()): FileStore {
  const location = parseStorageUrl(config.STORAGE_URL, config.DATA_DIR);
  if (location.kind === "file") return new LocalFileStore(location.root);
  return new S3FileStore({
    bucket: location.bucket,
    prefix: location.prefix,
    client: {
      region: config.AWS_REGION,
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      // Unset: the SDK's own chain (instance role, web identity, shared config) finds credentials.
      credentials: config.AWS_ACCESS_KEY_ID ? { accessKeyId: config.AWS_ACCESS_KEY_ID, secretAccessKey: config.AWS_SECRET_ACCESS_KEY! } : undefined,
      requestHandler: { connectionTimeout: 5000, requestTimeout: 60_000 },
    },
  });
}

const holder = globalThis as unknown as { __ingestionFileStore?: FileStore };

/** The file store; its reads go through the "file-store" circuit breaker. */
export function fileStore(): FileStore {
  holder.__ingestionFileStore ??= new GuardedFileStore(createFileStore(), () => getBreaker("file-store"));
  return holder.__ingestionFileStore;
}
