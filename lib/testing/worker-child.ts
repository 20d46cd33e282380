/**
 * A worker in its own process, for tests that kill one with SIGKILL or run several side by side.
 *   node --import tsx lib/testing/worker-child.ts parse|promote [--loop]
 * (one process, not tsx's launcher: a SIGKILL must kill the worker itself)
 */
import { pool, closeDb } from "@/lib/db/client";
import { runParseWorker } from "@/lib/ingestion/parse-next-upload";
import { runPromoteWorker } from "@/lib/ingestion/promote-next-upload";
import { fileStore } from "@/lib/storage";

const [kind, flag] = process.argv.slice(2);
const batchSize = Number(process.env.BATCH_SIZE ?? 10_000);
const run = () =>
  kind === "parse" ? runParseWorker(pool(), fileStore(), { batchSize, maxUploads: 1, today: "2030-01-01" }) : runPromoteWorker(pool(), { maxUploads: 1 });

async function main() {
  if (flag !== "--loop") {
    console.log(JSON.stringify(await run()));
    return;
  }
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const result = await run();
    if (!result.uploads.length) {
      const { rows } = await pool().query(`SELECT count(*)::int AS n FROM uploads WHERE status NOT IN ('completed', 'partial', 'failed')`);
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

main()
  .then(() => closeDb())
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
