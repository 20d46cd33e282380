import path from "node:path";
import { GuardedFileStore } from "@/lib/breakers/guarded-file-store";
import { getBreaker } from "@/lib/breakers/registry";
import { env } from "@/lib/env";
import { LocalFileStore, type FileStore } from "./file-store";

let store: FileStore | undefined;

/** The file store; its reads go through the "file-store" circuit breaker. */
export function fileStore(): FileStore {
  store ??= new GuardedFileStore(new LocalFileStore(path.resolve(env().DATA_DIR, "files")), () => getBreaker("file-store"));
  return store;
}
