/** Runs once when a server instance starts: validate configuration, then start the dev scheduler. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env, ConfigError } = await import("./lib/env");
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
    const { startScheduler } = await import("./lib/workers/scheduler");
    startScheduler();
  }
}
