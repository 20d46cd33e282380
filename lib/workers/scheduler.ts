import pg from "pg";
import { checkReadiness } from "@/lib/db/readiness";
import { pool } from "@/lib/db/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { fileStore } from "@/lib/storage";
import { shutdownSignal } from "./shutdown";

type Scheduler = { stopped: Promise<void> };
const holder = globalThis as unknown as { __ingestionScheduler?: Scheduler };

/** The channel an upload's arrival, or its staging, is announced on (a trigger on uploads, any instance). */
export const WORK_CHANNEL = "ingestion_work";

/** Waits `ms`, or less if the signal aborts or `wake` is called first. */
function sleeper(signal: AbortSignal) {
  let wakeUp: (() => void) | null = null;
  let woken = false;
  return {
    wake: () => {
      woken = true;
      wakeUp?.();
    },
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        if (woken || signal.aborted) {
          woken = false;
          return resolve();
        }
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          wakeUp = null;
          woken = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakeUp = done;
        signal.addEventListener("abort", done, { once: true });
      }),
  };
}

/**
 * Until /ready would answer green (database reachable, migrations applied, controls readable, store
 * reachable): a worker started before the migrations ran would only log errors. Says once what it waits for.
 */
async function untilReady(signal: AbortSignal, sleep: (ms: number) => Promise<void>) {
  let said = false;
  for (let delay = 250; !signal.aborted; delay = Math.min(delay * 2, 5000)) {
    const readiness = await checkReadiness(pool(), fileStore()).catch((error) => ({
      ready: false,
      checks: [{ name: "database", ok: false, detail: String(error) }],
    }));
    if (readiness.ready) {
      if (said) log.info("scheduler.ready");
      return;
    }
    if (!said) log.info("scheduler.waiting_for_ready", { failing: readiness.checks.filter((c) => !c.ok) });
    said = true;
    await sleep(delay);
  }
}

/**
 * Listens on WORK_CHANNEL with a connection of its own and calls `onWork` for each notification, so
 * that an upload received by any instance is picked up at once rather than at the next interval.
 * Reconnects after a lost connection; the interval still runs the workers if it cannot listen.
 */
async function listenForWork(signal: AbortSignal, onWork: () => void, sleep: (ms: number) => Promise<void>) {
  while (!signal.aborted) {
    const client = new pg.Client({ connectionString: env().DATABASE_URL });
    try {
      const lost = new Promise<void>((resolve) => {
        client.on("error", () => resolve());
        client.once("end", () => resolve());
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
      await client.connect();
      client.on("notification", onWork);
      await client.query(`LISTEN ${WORK_CHANNEL}`);
      onWork(); // whatever was announced while not listening
      await lost;
    } catch (error) {
      log.warn("scheduler.listen_failed", { error: String(error) });
    } finally {
      await client.end().catch(() => {});
    }
    if (!signal.aborted) await sleep(1000);
  }
}

/** A worker run that did something: the next step may be waiting (parsed → promote, a yielded parse, more to clean). */
function progressed(run: unknown): boolean {
  const r = run as { items?: number; uploads?: unknown[] } | undefined;
  return Boolean(r && ((r.items ?? 0) > 0 || (r.uploads?.length ?? 0) > 0));
}

/**
 * The in-process scheduler (SCHEDULER_ENABLED): runs every worker in pipeline order, on any number of
 * instances at once (claims and leases keep them apart). A tick never overlaps the previous. The next
 * tick starts at once when a worker of this one made progress, or when an upload is received or staged
 * (a notification from any instance); otherwise after SCHEDULER_INTERVAL_MS. It stops with the
 * process's shutdown signal, after the tick in hand.
 */
export function startScheduler() {
  if (holder.__ingestionScheduler) return;
  const signal = shutdownSignal();
  const { sleep, wake } = sleeper(signal);
  const loop = async () => {
    await untilReady(signal, sleep);
    if (signal.aborted) return;
    log.info("scheduler.started", { intervalMs: env().SCHEDULER_INTERVAL_MS });
    const listening = listenForWork(signal, wake, (ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const { workerTicks } = await import("./ticks");
    while (!signal.aborted) {
      const started = Date.now();
      let again = false;
      for (const tick of workerTicks()) {
        if (signal.aborted) break;
        const run = await tick.run().catch((error) => log.error("scheduler.tick_failed", { worker: tick.name, error: String(error) }));
        if (tick.chains && progressed(run)) again = true;
      }
      if (!again) await sleep(Math.max(0, env().SCHEDULER_INTERVAL_MS - (Date.now() - started)));
    }
    await listening;
  };
  holder.__ingestionScheduler = { stopped: loop() };
}

/** Resolves once the scheduler (if started) has finished its last tick. */
export const schedulerStopped = () => holder.__ingestionScheduler?.stopped ?? Promise.resolve();
