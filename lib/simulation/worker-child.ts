/**
 * A parse worker in its own process, on the simulation's virtual clock (read from the database's
 * sim.clock), for the "worker killed mid-parse" fault: the simulation SIGKILLs it while it holds the
 * lease on a big upload.   node --import tsx lib/simulation/worker-child.ts
 */
import pg from "pg";
import { installVirtualDate, readSqlOffset } from "./virtual-clock";

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
installVirtualDate(await readSqlOffset(client));
await client.end();
const { pool } = await import("@/lib/db/client");
const { runParseWorker } = await import("@/lib/ingestion/parse-next-upload");
const { fileStore } = await import("@/lib/storage");
console.log(JSON.stringify(await runParseWorker(pool(), fileStore(), { batchSize: Number(process.env.BATCH_SIZE ?? 5000), maxUploads: 1 })));
process.exit(0);
