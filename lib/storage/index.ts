import path from "node:path";
import { env } from "@/lib/env";
import { LocalFileStore, type FileStore } from "./file-store";

let store: FileStore | undefined;

export function fileStore(): FileStore {
  store ??= new LocalFileStore(path.resolve(env().DATA_DIR, "files"));
  return store;
}
