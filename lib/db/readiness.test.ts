import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as readyRoute from "@/app/ready/route";
import { json } from "@/lib/http/respond";
import { pool, resetDatabase } from "@/lib/testing/db";
import { serveRoutes } from "@/lib/testing/http";
import { publicReadiness } from "./readiness";

describe("GET /ready tells anyone which check failed, never the database's error text", () => {
  let server: Awaited<ReturnType<typeof serveRoutes>>;
  let deadUrl: string;
  let dead: pg.Pool;
  beforeAll(async () => {
    await resetDatabase();
    // A port where nothing listens: the driver's error names the host and port.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    deadUrl = `postgresql://secret_user:secret_pw@127.0.0.1:${port}/ingestion`;
    dead = new pg.Pool({ connectionString: deadUrl, connectionTimeoutMillis: 2000 });
    server = await serveRoutes([
      { method: "GET", pattern: "/ready", handler: readyRoute.GET },
      // The same answer over a database that cannot be reached.
      { method: "GET", pattern: "/ready-dead", handler: async () => (({ status, body }) => json(body, { status }))(await publicReadiness(dead)) },
    ]);
  });
  afterAll(async () => {
    await server?.close();
    await dead?.end();
  });

  it("200 with every check passing", async () => {
    const response = await fetch(`${server.url}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ready: true,
      checks: [
        { name: "database", ok: true },
        { name: "migrations", ok: true },
        { name: "controls", ok: true },
        { name: "storage", ok: true },
      ],
    });
  });

  it("503 naming the controls check, without the error text, when the controls cannot be read", async () => {
    await pool().query(`ALTER TABLE ingestion_controls RENAME TO ingestion_controls_away`);
    try {
      const response = await fetch(`${server.url}/ready`);
      expect(response.status).toBe(503);
      const text = await response.text();
      const body = JSON.parse(text);
      expect(body.ready).toBe(false);
      expect(body.checks.find((c: { name: string }) => c.name === "controls")).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/^the controls could not be read \(error id [0-9a-f-]{36}\)$/),
      });
      expect(text).not.toMatch(/relation|does not exist|ingestion_controls\b/);
    } finally {
      await pool().query(`ALTER TABLE ingestion_controls_away RENAME TO ingestion_controls`);
    }
  });

  it("503 naming the database check, without host, port, user or driver text, when it is unreachable", async () => {
    const response = await fetch(`${server.url}/ready-dead`);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      ready: false,
      checks: [{ name: "database", ok: false, detail: expect.stringMatching(/^unreachable \(error id [0-9a-f-]{36}\)$/) }],
    });
    const { port, username } = new URL(deadUrl);
    expect(text).not.toContain(port);
    expect(text).not.toContain(username);
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect/);
  });
});
