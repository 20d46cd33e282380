/**
 * A parse worker in its own process that takes one given upload, for end-to-end tests that kill a
 * worker mid-parse (SIGKILL) and leave its lease behind, as a crashed pod does (D10-10).
 *   node --conditions=react-server --import tsx lib/testing/stuck-worker-child.ts <upload id>
 * It claims the upload by id at once (even while the parse worker is frozen, so that nothing else
 * takes it first), prints `{"claimed":…}`, waits until the parse worker may run, then parses with
 * small batches, each committed with its checkpoint and a renewed lease (WORKER_LEASE_SECONDS).
 */
import { WORKER_ALLOWED_SQL } from "@/lib/controls/controls";
import { closeDb, pool } from "@/lib/db/client";
import type { ClaimedUpload } from "@/lib/ingestion/claim-upload";
import { leaseSeconds } from "@/lib/ingestion/claim-upload";
import { parseUpload } from "@/lib/ingestion/parse-next-upload";
import { fileStore } from "@/lib/storage";

const uploadId = process.argv[2];
const workerId = `stuck-child:${process.pid}`;

async function main() {
  const { rows } = await pool().query<ClaimedUpload>(
    `UPDATE uploads u SET locked_by = $2, lease_expires_at = now() + make_interval(secs => $3), attempts = u.attempts + 1, updated_at = now()
       FROM workspaces w
      WHERE u.id = $1 AND w.id = u.workspace_id AND u.status = 'pending' AND (u.lease_expires_at IS NULL OR u.lease_expires_at < now())
     RETURNING u.id, u.workspace_id, u.status, u.platform, u.storage_key, u.parsed_records, u.valid_rows, u.invalid_rows, u.attempts,
               u.created_at, w.default_currency, w.row_policy`,
    [uploadId, workerId, leaseSeconds()],
  );
  if (!rows[0]) throw new Error(`could not claim ${uploadId}`);
  console.log(JSON.stringify({ claimed: uploadId, workerId }));
  for (;;) {
    const allowed = await pool().query<{ ok: boolean }>(`SELECT ${WORKER_ALLOWED_SQL("'parse'")} AS ok`);
    if (allowed.rows[0].ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const outcome = await parseUpload(pool(), fileStore(), rows[0], workerId, { batchSize: Number(process.env.BATCH_SIZE ?? 1000) });
  console.log(JSON.stringify(outcome));
}

main()
  .then(() => closeDb())
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
