import { beforeEach, describe, expect, it } from "vitest";
import { withTransaction } from "@/lib/db/sql";
import { createWorkspace, pool, resetDatabase } from "@/lib/testing/db";
import { transitionUpload } from "./transition";

beforeEach(resetDatabase);

async function pendingUpload() {
  const ws = await createWorkspace("acme");
  const { rows } = await pool().query<{ id: string }>(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key)
     VALUES (gen_random_uuid(), $1, 'meta', 'api', 'a.csv', 1, 'x', 'k') RETURNING id`,
    [ws.id],
  );
  return rows[0].id;
}

describe("transitionUpload", () => {
  it("stamps the upload and its event with the time of the transition, not of its transaction's start", async () => {
    const id = await pendingUpload();
    const { began, upload, event } = await withTransaction(pool(), async (client) => {
      const began = (await client.query<{ now: Date }>(`SELECT now()`)).rows[0].now;
      await client.query(`SELECT pg_sleep(0.3)`); // the work a transaction does before its transition
      expect(await transitionUpload(client, { uploadId: id, from: "pending", to: "failed", actor: "test", reason: "slow" })).toBe("pending");
      const upload = (await client.query<{ failed_at: Date; updated_at: Date }>(`SELECT failed_at, updated_at FROM uploads WHERE id = $1`, [id])).rows[0];
      const event = (await client.query<{ created_at: Date }>(`SELECT created_at FROM upload_events WHERE upload_id = $1 AND to_status = 'failed'`, [id]))
        .rows[0];
      return { began, upload, event };
    });
    expect(upload.failed_at.getTime() - began.getTime()).toBeGreaterThanOrEqual(300);
    expect(upload.updated_at).toEqual(upload.failed_at);
    expect(event.created_at).toEqual(upload.failed_at);
  });

  it("stamps events written outside it at the time they are written too (the column default)", async () => {
    const id = await pendingUpload();
    const { began, at } = await withTransaction(pool(), async (client) => {
      const began = (await client.query<{ now: Date }>(`SELECT now()`)).rows[0].now;
      await client.query(`SELECT pg_sleep(0.2)`);
      const at = (
        await client.query<{ created_at: Date }>(
          `INSERT INTO upload_events (upload_id, from_status, to_status, actor) VALUES ($1, NULL, 'pending', 'test') RETURNING created_at`,
          [id],
        )
      ).rows[0].created_at;
      return { began, at };
    });
    expect(at.getTime() - began.getTime()).toBeGreaterThanOrEqual(200);
  });
});
