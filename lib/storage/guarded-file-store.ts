import { PassThrough, type Readable } from "node:stream";
import { isFileMissing, READ_CHUNK_BYTES, type FileStore } from "./file-store";
import type { Admission } from "@/lib/breakers/breaker-state";
import { circuitOpen, type CircuitBreaker } from "@/lib/breakers/circuit-breaker";

/** A missing file is the file's problem (FILE_MISSING), not the store's: it does not count against the breaker. */
const isStoreFailure = (error: unknown) => !isFileMissing(error);

/**
 * The file store's reads behind a circuit breaker: while the store keeps failing, reads fail fast with
 * CIRCUIT_OPEN instead of hanging every worker on it. Writes (intake) are left to fail on their own,
 * since a client is waiting for that answer and retries it.
 */
export class GuardedFileStore implements FileStore {
  constructor(
    private readonly store: FileStore,
    /** Looked up per call, so the process-wide breaker is used even if it was re-created. */
    private readonly breakerOf: () => CircuitBreaker,
  ) {}

  get breaker() {
    return this.breakerOf();
  }

  put(key: string, body: Readable) {
    return this.store.put(key, body);
  }

  delete(key: string) {
    return this.store.delete(key);
  }

  /** Asks the store itself, breaker or not: readiness reports what the store does now. */
  ping() {
    return this.store.ping();
  }

  async exists(key: string) {
    return this.breaker.run(() => this.store.exists(key));
  }

  /** The stream is returned at once; the breaker is asked before the underlying read starts. */
  get(key: string): Readable {
    const breaker = this.breaker;
    const out = new PassThrough({ highWaterMark: READ_CHUNK_BYTES });
    let inner: Readable | undefined;
    out.once("close", () => inner?.destroy());
    const start = (admission: Admission) => {
      if (!admission.allowed) {
        out.destroy(circuitOpen(breaker.name, admission.retryAt));
        return;
      }
      if (out.destroyed) {
        if (admission.probe) void breaker.recordSuccess();
        return;
      }
      let failed: unknown = null;
      try {
        inner = this.store.get(key);
      } catch (error) {
        void breaker.recordFailure(String(error));
        out.destroy(error as Error);
        return;
      }
      inner.once("error", (error) => {
        failed = error;
        out.destroy(error);
      });
      // A read that ends, or that the consumer stopped early, shows the store works.
      inner.once("close", () => {
        if (failed && isStoreFailure(failed)) void breaker.recordFailure(String(failed));
        else if (admission.probe) void breaker.recordSuccess();
      });
      inner.pipe(out);
    };
    breaker.admit().then(start, (error) => out.destroy(error));
    return out;
  }
}
