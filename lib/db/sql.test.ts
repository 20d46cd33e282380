import { describe, expect, it } from "vitest";
import { pool } from "@/lib/testing/db";
import { withTransaction } from "./sql";

describe("a connection lost while in use (an outage mid-transaction)", () => {
  it("rejects the work in hand and leaves the process running; the pool serves the next query", async () => {
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", record);
    try {
      const work = withTransaction(pool(), async (client) => {
        const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        // Another session ends this one, as a database restart or a dropped network would.
        await pool().query("SELECT pg_terminate_backend($1)", [rows[0].pid]);
        await new Promise((r) => setTimeout(r, 200));
        await client.query("SELECT 1");
      });
      await expect(work).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
      expect((await pool().query("SELECT 1 AS ok")).rows[0].ok).toBe(1);
    } finally {
      process.off("uncaughtException", record);
    }
  });
});
