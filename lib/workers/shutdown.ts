import { log } from "@/lib/log";

type Lifecycle = { controller: AbortController; inFlight: Set<Promise<unknown>> };
const holder = globalThis as unknown as { __ingestionLifecycle?: Lifecycle };
const lifecycle = () => (holder.__ingestionLifecycle ??= { controller: new AbortController(), inFlight: new Set() });

/** Aborted when this process begins to shut down: workers checkpoint at their next batch and claim nothing more. */
export const shutdownSignal = () => lifecycle().controller.signal;
export const shuttingDown = () => shutdownSignal().aborted;

/** Runs `work` as part of this process's worker activity, which shutdown waits for. */
export function trackWork<T>(work: () => Promise<T>): Promise<T> {
  const { inFlight } = lifecycle();
  const running = work();
  const settled = running.then(
    () => {},
    () => {},
  );
  inFlight.add(settled);
  void settled.then(() => inFlight.delete(settled));
  return running;
}

/**
 * Stops the workers: signals them, then waits for the runs in hand (each checkpoints its batch and
 * releases its upload) for at most `timeoutMs`. Answers whether they all finished in time.
 */
export async function stopWorkers(timeoutMs: number): Promise<boolean> {
  const { controller, inFlight } = lifecycle();
  controller.abort();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const finished = await Promise.race([Promise.all([...inFlight]).then(() => true), timedOut]);
  clearTimeout(timer);
  if (!finished) log.warn("shutdown.workers_timeout", { timeoutMs, running: inFlight.size });
  return finished;
}
