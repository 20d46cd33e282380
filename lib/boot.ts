import { ConfigError, env } from "./env";
import { log } from "./log";

const holder = globalThis as unknown as { __ingestionBooted?: boolean };

/** Validates configuration (refusing to start with a message naming the bad variable), then starts the scheduler. */
export async function boot() {
  try {
    env();
    const { resolveSignalConfig } = await import("./signals/resolve-config");
    resolveSignalConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`\n${error.message}\nThe console refuses to start; fix the variables above.\n`);
      process.exit(1);
    }
    throw error;
  }
  if (holder.__ingestionBooted) return;
  holder.__ingestionBooted = true;
  process.once("SIGTERM", () => void shutDown("SIGTERM"));
  process.once("SIGINT", () => void shutDown("SIGINT"));
  if (env().SCHEDULER_ENABLED) {
    const { startScheduler } = await import("./workers/scheduler");
    startScheduler();
  }
}

/**
 * Graceful shutdown: stop claiming, let the runs in hand checkpoint their batch, release this
 * instance's leases (another instance resumes at once instead of waiting for them to expire), close
 * the pools, exit — within SHUTDOWN_TIMEOUT_MS, plus a second for the pools.
 *
 * Next's own handler of the same signal closes the HTTP server, waits for the requests in flight,
 * then calls process.exit at once; the exit is held here until the workers are done, so their last
 * commit and the lease release are not cut off, and the pools close after the last request.
 */
async function shutDown(signal: string) {
  const started = Date.now();
  const timeoutMs = env().SHUTDOWN_TIMEOUT_MS;
  log.info("shutdown.started", { signal, timeoutMs });
  const exit = process.exit.bind(process);
  let exitCode: number | undefined;
  let release: () => void = () => {};
  const exitRequested = new Promise<void>((resolve) => (release = resolve));
  process.exit = ((code?: number) => {
    exitCode = code;
    release();
  }) as typeof process.exit;
  // Without Next's handler (NEXT_MANUAL_SIG_HANDLE), nobody else asks to exit.
  const hardStop = setTimeout(release, timeoutMs + 1000);

  const [{ stopWorkers }, { schedulerStopped }, { releaseInstanceLeases }, { INSTANCE_ID }, { closeDb, pool }] = await Promise.all([
    import("./workers/shutdown"),
    import("./workers/scheduler"),
    import("./ingestion/claim-upload"),
    import("./instance"),
    import("./db/client"),
  ]);
  const finished = await stopWorkers(timeoutMs);
  if (finished) await schedulerStopped();
  const released = await releaseInstanceLeases(pool(), INSTANCE_ID).catch((error) => {
    log.warn("shutdown.release_failed", { error: String(error) });
    return 0;
  });
  log.info("shutdown.workers_stopped", { finished, leasesReleased: released, duration_ms: Date.now() - started });
  await exitRequested;
  clearTimeout(hardStop);
  await Promise.race([closeDb(), new Promise((r) => setTimeout(r, 1000))]);
  log.info("shutdown.complete", { signal, duration_ms: Date.now() - started });
  exit(exitCode ?? 0);
}
