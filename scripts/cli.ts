/**
 * npm run --silent cli -- user add --email E --role R [--role R2] [--password P]
 * npm run --silent cli -- apikey create --workspace <slug> [--name N]
 * Uses DATABASE_URL; without it, the embedded database of a running `npm run dev` (DATA_DIR/connection.json),
 * or else starts the embedded development database under DATA_DIR for the duration.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import path from "node:path";
import { AppError } from "../lib/errors";

const USAGE = `Usage:
  cli user add --email E --role R [--role R2 …] [--password P] [--name N]
  cli apikey create --workspace <slug> [--name N]`;

/** The embedded database of a running `npm run dev`, from the connection file its launcher writes. */
function runningConsoleDatabase(): string | undefined {
  const file = path.join(path.resolve(process.env.DATA_DIR ?? ".data"), "connection.json");
  if (!existsSync(file)) return undefined;
  const { url, pid } = JSON.parse(readFileSync(file, "utf8")) as { url: string; pid: number };
  try {
    process.kill(pid, 0);
    return url;
  } catch {
    return undefined; // a launcher that died without cleaning up
  }
}

async function main() {
  const [noun, verb, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: "string" }, role: { type: "string", multiple: true }, password: { type: "string" }, name: { type: "string" }, workspace: { type: "string" } },
    strict: true,
  });
  let stop: (() => Promise<void>) | undefined;
  if (!process.env.DATABASE_URL) process.env.DATABASE_URL = runningConsoleDatabase();
  if (!process.env.DATABASE_URL) {
    const { startEmbeddedPostgres } = await import("../lib/db/embedded");
    const dataDir = path.resolve(process.env.DATA_DIR ?? ".data");
    const db = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), port: Number(process.env.EMBEDDED_PG_PORT ?? 54329), database: "ingestion" }).catch((error) => {
      throw new AppError("NO_DATABASE", 1, `No DATABASE_URL and the embedded database could not start: ${error.message}`);
    });
    process.env.DATABASE_URL = db.url;
    stop = db.stop;
  }
  const { prisma, closeDb } = await import("../lib/db/client");
  try {
    if (noun === "user" && verb === "add") {
      if (!values.email) throw new AppError("USAGE", 2, `--email is required.\n${USAGE}`);
      const { addUser } = await import("../lib/auth/users");
      const user = await addUser(prisma(), { email: values.email, roles: values.role ?? [], password: values.password, name: values.name });
      console.log(`${user.email} (${user.roles.join(", ")})`);
    } else if (noun === "apikey" && verb === "create") {
      if (!values.workspace) throw new AppError("USAGE", 2, `--workspace is required.\n${USAGE}`);
      const { createApiKey } = await import("../lib/auth/api-keys");
      const { key } = await createApiKey(prisma(), values.workspace, values.name);
      console.log(key);
    } else {
      throw new AppError("USAGE", 2, USAGE);
    }
  } finally {
    await closeDb();
    await stop?.();
  }
}

main().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
