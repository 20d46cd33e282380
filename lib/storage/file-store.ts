import { constants, createReadStream, createWriteStream, mkdirSync } from "node:fs";
import { access, mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * Reads come in chunks of this size: small enough that parsing one chunk (about 2 ms) never holds
 * up the database driver sharing the event loop with the parser (1 MiB chunks did), large enough
 * that the reads themselves cost little (64 KiB reads took 0.2 to 0.5 s of CPU per 140 MB file,
 * 256 KiB reads about 0.12 s).
 */
export const READ_CHUNK_BYTES = 256 * 1024;

/** Where uploaded files live. Every instance must be able to read what any instance wrote. */
export interface FileStore {
  /** Streams `body` to a new object and returns its key once it is durable. */
  put(key: string, body: Readable): Promise<void>;
  /** Streams the object; a missing one fails the stream with an ENOENT error (see isFileMissing). */
  get(key: string): Readable;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Resolves when the store can be written and read (for /ready); rejects saying why not. */
  ping(): Promise<void>;
}

export function assertStorageKey(key: string) {
  if (!/^[A-Za-z0-9/_.-]+$/.test(key) || key.includes("..")) throw new Error(`Invalid storage key ${key}`);
}

/** A missing object, in every store the same error as a missing local file. */
export const fileMissing = (key: string) => Object.assign(new Error(`No stored file ${key}`), { code: "ENOENT" });
export const isFileMissing = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === "ENOENT";

/** Local-disk store (STORAGE_URL=file://<dir>, by default DATA_DIR/files): one machine only, unless the folder is shared. */
export class LocalFileStore implements FileStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string) {
    assertStorageKey(key);
    return path.join(this.root, key);
  }

  async put(key: string, body: Readable) {
    const target = this.pathOf(key);
    // Synchronous so the pipeline is attached before the body can emit an error with no listener.
    mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    try {
      await pipeline(body, createWriteStream(partial));
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  get(key: string): Readable {
    return createReadStream(this.pathOf(key), { highWaterMark: READ_CHUNK_BYTES });
  }

  async delete(key: string) {
    await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string) {
    return stat(this.pathOf(key)).then(
      () => true,
      () => false,
    );
  }

  async ping() {
    await mkdir(this.root, { recursive: true });
    await access(this.root, constants.R_OK | constants.W_OK);
  }
}
