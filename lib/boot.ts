import { ConfigError, env } from "./env";

/** Validates configuration (refusing to start with a message naming the bad variable), then starts the scheduler. */
export async function boot() {
  try {
    env();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`\n${error.message}\nThe console refuses to start; fix the variables above.\n`);
      process.exit(1);
    }
    throw error;
  }
  if (env().SCHEDULER_ENABLED) {
    const { startScheduler } = await import("./workers/scheduler");
    startScheduler();
  }
}
