/** npm run seed:scale [-- --uploads 100000 --staging 5000000] — console-scale data into the dev (or DATABASE_URL) database. */
import { parseArgs } from "node:util";
import { withDatabase } from "./with-database";

const { values } = parseArgs({
  options: { uploads: { type: "string", default: "100000" }, staging: { type: "string", default: "5000000" }, metrics: { type: "string", default: "1000000" } },
});

withDatabase(async () => {
  const { pool } = await import("../lib/db/client");
  const { seedScale } = await import("../lib/testing/scale-seed");
  const started = Date.now();
  const result = await seedScale(pool(), { uploads: Number(values.uploads), stagingRows: Number(values.staging), metricsRows: Number(values.metrics) });
  console.log(`seeded ${result.uploads} uploads and ${result.stagingRows} staging rows in ${((Date.now() - started) / 1000).toFixed(1)} s (workspace "scale")`);
}).catch((error) => {
  console.error(error);
  process.exit(1);
});
