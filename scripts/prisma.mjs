// Runs the Prisma CLI. The wasm engine only needs DATABASE_URL to be set for commands that do not
// touch a database (generate, diff); without it the CLI tries to download a native engine.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL || "postgresql://unused@localhost:1/unused", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
const cli = require.resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env });
process.exit(result.status ?? 1);
