import { readdirSync, readlinkSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { setMode, setRollout, setWorkspacePause } from "@/lib/controls/change-control";
import { pool, prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { apiKeyRoute } from "@/lib/http/api-route";
import { fileStore } from "@/lib/storage";
import { createWorkspace, resetDatabase } from "@/lib/testing/db";
import { serveRoutes } from "@/lib/testing/http";
import { apiKeyFor, fixture, generated, postUpload, serveApiForTests } from "@/lib/testing/pipeline";
import { receiveUpload } from "./receive-upload";

const api = serveApiForTests();
let key: string;
const sre = { id: "00000000-0000-0000-0000-000000000001", email: "sre@example.com", roles: ["sre_lead" as const] };
const owner = { id: "00000000-0000-0000-0000-000000000002", email: "owner@example.com", roles: ["ingestion_owner" as const] };
const meta = fixture("meta.csv");

beforeEach(async () => {
  await resetDatabase();
  await createWorkspace("acme");
  await createWorkspace("globex");
  key = await apiKeyFor("acme");
});

const uploadCount = () => prisma().upload.count();

async function pendingUploads(slug: string, n: number) {
  await pool().query(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key)
     SELECT gen_random_uuid(), w.id, 'meta', 'api', 'x.csv', 1, md5(w.slug || g::text), 'none' FROM workspaces w, generate_series(1, $2::int) g WHERE w.slug = $1`,
    [slug, n],
  );
}

/** The local store's folder, every file under it (.partial ones included) and this process's descriptors into it. */
const storeRoot = () => path.resolve(env().DATA_DIR, "files");
const storedFiles = () => {
  try {
    return (readdirSync(storeRoot(), { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
      .filter((d) => d.isFile())
      .map((d) => path.join(d.parentPath, d.name))
      .sort();
  } catch {
    return [];
  }
};
const openStoreFds = () =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(storeRoot());
    } catch {
      return false;
    }
  }).length;

async function eventually(check: () => Promise<void> | void, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A multipart body in the order given; a file part is [name, fileName, bytes]. */
function multipart(parts: ([string, string] | [string, string, Buffer])[]) {
  const boundary = "----intake-test-boundary";
  const chunks = parts.flatMap((p) =>
    p.length === 2
      ? [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p[0]}"\r\n\r\n${p[1]}\r\n`)]
      : [
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p[0]}"; filename="${p[1]}"\r\nContent-Type: text/csv\r\n\r\n`),
          p[2],
          Buffer.from("\r\n"),
        ],
  );
  return { body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}
const modeVersion = async () => (await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).version;

describe("POST /api/v1/uploads errors: JSON body, right status, nothing stored", () => {
  it("201 with the upload, and GET returns the documented fields", async () => {
    const created = await postUpload(api.url, key, meta);
    expect(created.status).toBe(201);
    const response = await fetch(`${api.url}/api/v1/uploads/${created.body.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(Object.keys(await response.json()).sort()).toEqual(
      [
        "id",
        "status",
        "workspaceId",
        "platform",
        "source",
        "fileName",
        "sizeBytes",
        "sha256",
        "totalRows",
        "validRows",
        "invalidRows",
        "ignoredRows",
        "promotedRows",
        "errorCode",
        "errorText",
        "createdAt",
        "startedAt",
        "completedAt",
      ].sort(),
    );
    expect(created.body).toMatchObject({ source: "api", sizeBytes: meta.length });
    expect(created.body.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("400 for a missing or bad field", async () => {
    const missing = await postUpload(api.url, key, meta, { workspace_id: "acme" });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: "INVALID_REQUEST" });
    expect(missing.body.error.message).toContain("platform");
    const bad = await postUpload(api.url, key, meta, { workspace_id: "acme", platform: "myspace" });
    expect(bad.status).toBe(400);
    const noFile = await fetch(`${api.url}/api/v1/uploads`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: new URLSearchParams({ a: "b" }),
    });
    expect(noFile.status).toBe(400);
    expect(await uploadCount()).toBe(0);
  });

  it("401 without a key or with a bad one", async () => {
    expect((await postUpload(api.url, null, meta)).status).toBe(401);
    const bad = await postUpload(api.url, "ik_not-a-real-key", meta);
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe("UNAUTHORIZED");
    expect(await uploadCount()).toBe(0);
  });

  it("403 for another workspace's key, and for a workspace outside the rollout allowlist", async () => {
    const other = await postUpload(api.url, key, meta, { workspace_id: "globex", platform: "meta" });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe("WRONG_WORKSPACE");
    const version = (await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "rollout" } })).version;
    await setRollout(pool(), owner, { phase: "P1", allowlist: ["globex"], reason: "phase 1", incidentId: "CHG-1", expectedVersion: version });
    const outside = await postUpload(api.url, key, meta);
    expect(outside.status).toBe(403);
    expect(outside.body.error.code).toBe("NOT_IN_ROLLOUT");
    expect(await uploadCount()).toBe(0);
  });

  it("409 for the same file again, naming the earlier upload", async () => {
    const first = await postUpload(api.url, key, meta);
    const again = await postUpload(api.url, key, meta, undefined, "renamed.csv");
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(first.body.id);
    expect(await uploadCount()).toBe(1);
  });

  it("413 past the size limit, enforced while streaming", async () => {
    const small = await serveRoutes([
      {
        method: "POST",
        pattern: "/api/v1/uploads",
        handler: apiKeyRoute(async ({ apiKey, request }) => ({
          status: 201,
          body: await receiveUpload(pool(), fileStore(), apiKey, request, { maxBytes: 1024, concurrencyLimit: 50, workspaceShare: 1 }),
        })),
      },
    ]);
    const big = Buffer.concat([meta, Buffer.alloc(4096, "a")]);
    const response = await postUpload(small.url, key, big);
    await small.close();
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("FILE_TOO_LARGE");
    expect(await uploadCount()).toBe(0);
  });

  it("415 for a binary file", async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 1)]);
    const response = await postUpload(api.url, key, png, undefined, "chart.csv");
    expect(response.status).toBe(415);
    expect(await uploadCount()).toBe(0);
  });

  it("429 with Retry-After when uploads pile up over the concurrency limit (D10-07)", async () => {
    // 50 waiting in all, none of the three workspaces over its share (25).
    const initech = await createWorkspace("initech");
    await pendingUploads("acme", 24);
    await pendingUploads("globex", 24);
    await pendingUploads(initech.slug, 2);
    const response = await postUpload(api.url, key, meta);
    expect(response.status).toBe(429);
    expect(response.body.error.code).toBe("THROTTLED");
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await uploadCount()).toBe(50);
  });

  it("429 for a workspace over its share of the queue while the others still get in (D10-07)", async () => {
    // INGESTION_WORKSPACE_SHARE 0.5 of INGESTION_CONCURRENCY_LIMIT 50: 25 waiting uploads per workspace.
    expect(env()).toMatchObject({ INGESTION_CONCURRENCY_LIMIT: 50, INGESTION_WORKSPACE_SHARE: 0.5 });
    await pendingUploads("acme", 25);
    const starved = await postUpload(api.url, key, meta);
    expect(starved.status).toBe(429);
    expect(starved.body.error.code).toBe("WORKSPACE_THROTTLED");
    expect(starved.body.error.message).toContain("Workspace acme already has 25 uploads waiting");
    expect(starved.body.error.message).toContain("50 % of 50 = 25");
    expect(Number(starved.headers.get("retry-after"))).toBeGreaterThan(0);
    const other = await postUpload(api.url, await apiKeyFor("globex"), meta, { workspace_id: "globex", platform: "meta" });
    expect(other.status).toBe(201);
    expect(await prisma().upload.count({ where: { workspace: { slug: "acme" } } })).toBe(25);
  });

  it("admits side-by-side requests only up to the workspace's share", async () => {
    await pendingUploads("acme", 22);
    // Five different files at once for three free places: the check at insert time is serialized.
    const files = [0, 1, 2, 3, 4].map((i) => Buffer.concat([meta, Buffer.from(`\n`.repeat(i + 1))]));
    const answers = await Promise.all(files.map((f, i) => postUpload(api.url, key, f, undefined, `r${i}.csv`)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 201, 429, 429]);
    expect(await prisma().upload.count({ where: { workspace: { slug: "acme" } } })).toBe(25);
  });

  it("429 with Retry-After past 250 requests a minute for one key", async () => {
    const started = Date.now();
    let served = 0;
    let limited: Response | undefined;
    while (!limited && served < 600) {
      const r = await fetch(`${api.url}/api/v1/uploads/00000000-0000-0000-0000-000000000000`, { headers: { authorization: `Bearer ${key}` } });
      if (r.status === 429) limited = r;
      else served++;
    }
    // The bucket holds 250 and refills at 250/minute while the loop runs.
    const refilled = Math.ceil(((Date.now() - started) / 60_000) * 250) + 1;
    expect(limited).toBeDefined();
    expect(served).toBeGreaterThanOrEqual(250);
    expect(served).toBeLessThanOrEqual(250 + refilled);
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await limited!.json()).error.code).toBe("RATE_LIMITED");
    // Another key has its own bucket.
    const other = await apiKeyFor("acme");
    expect((await fetch(`${api.url}/api/v1/uploads/00000000-0000-0000-0000-000000000000`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(404);
  });

  it("503 with Retry-After while halted, draining or the workspace is paused", async () => {
    await setMode(pool(), sre, { mode: "halted", reason: "incident", incidentId: "INC-9", expectedVersion: await modeVersion() });
    const halted = await postUpload(api.url, key, meta);
    expect(halted.status).toBe(503);
    expect(halted.headers.get("retry-after")).toBeTruthy();
    await setMode(pool(), sre, { mode: "draining", reason: "drain", incidentId: "INC-9", expectedVersion: await modeVersion() });
    expect((await postUpload(api.url, key, meta)).status).toBe(503);
    await setMode(pool(), sre, { mode: "running", reason: "ok", incidentId: "INC-9", expectedVersion: await modeVersion() });
    const acme = await prisma().workspace.findUniqueOrThrow({ where: { slug: "acme" } });
    await setWorkspacePause(pool(), sre, { workspaceId: acme.id, paused: true, reason: "client asked", incidentId: "INC-10" });
    const paused = await postUpload(api.url, key, meta);
    expect(paused.status).toBe(503);
    expect(paused.body.error.code).toBe("WORKSPACE_PAUSED");
    expect(await uploadCount()).toBe(0);
  });

  it("GET of another workspace's upload is 404", async () => {
    const created = await postUpload(api.url, key, meta);
    const globexKey = await apiKeyFor("globex");
    const response = await fetch(`${api.url}/api/v1/uploads/${created.body.id}`, { headers: { authorization: `Bearer ${globexKey}` } });
    expect(response.status).toBe(404);
  });
});

describe("POST /api/v1/uploads: policy before bytes, nothing left by a client that goes away", () => {
  it("refuses a file sent before its fields with a 400, storing nothing", async () => {
    const before = storedFiles();
    const { body, contentType } = multipart([
      ["file", "report.csv", meta],
      ["workspace_id", "acme"],
      ["platform", "meta"],
    ]);
    const response = await fetch(`${api.url}/api/v1/uploads`, {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${key}`, "content-type": contentType },
    });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.code).toBe("FIELDS_AFTER_FILE");
    expect(error.message).toMatch(/must come before the file/);
    expect(await uploadCount()).toBe(0);
    expect(storedFiles()).toEqual(before);
    // The same form with the fields first is accepted.
    const ordered = multipart([
      ["workspace_id", "acme"],
      ["platform", "meta"],
      ["file", "report.csv", meta],
    ]);
    const ok = await fetch(`${api.url}/api/v1/uploads`, {
      method: "POST",
      body: ordered.body,
      headers: { authorization: `Bearer ${key}`, "content-type": ordered.contentType },
    });
    expect(ok.status).toBe(201);
  });

  it("runs the policy checks before a byte of the file is stored", async () => {
    const acme = await prisma().workspace.findUniqueOrThrow({ where: { slug: "acme" } });
    await setWorkspacePause(pool(), sre, { workspaceId: acme.id, paused: true, reason: "client asked", incidentId: "INC-10" });
    const before = storedFiles();
    const { body, contentType } = multipart([
      ["workspace_id", "acme"],
      ["platform", "meta"],
      ["file", "report.csv", await generated({ platform: "meta", rows: 20_000 })],
    ]);
    const response = await fetch(`${api.url}/api/v1/uploads`, {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${key}`, "content-type": contentType },
    });
    expect(response.status).toBe(503);
    expect((await response.json()).error.code).toBe("WORKSPACE_PAUSED");
    expect(storedFiles()).toEqual(before);
  });

  it("leaves no upload row, no file (.partial included) and no open descriptor when the client disconnects mid-file", async () => {
    const before = storedFiles();
    const fdsBefore = openStoreFds();
    const file = await generated({ platform: "meta", rows: 40_000 });
    const { body, contentType } = multipart([
      ["workspace_id", "acme"],
      ["platform", "meta"],
      ["file", "big.csv", file],
    ]);
    const { port } = new URL(api.url);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    socket.on("error", () => {});
    socket.write(
      `POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${key}\r\n` +
        `Content-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, Math.floor(body.length / 2)));
    // The server has begun writing the file: the disconnect comes mid-store, not before it.
    await eventually(() => expect(storedFiles().filter((f) => !before.includes(f) && f.endsWith(".partial"))).toHaveLength(1));
    expect(openStoreFds()).toBeGreaterThan(fdsBefore);
    socket.destroy();

    await eventually(() => {
      expect(storedFiles()).toEqual(before);
      expect(openStoreFds()).toBe(fdsBefore);
    });
    expect(await uploadCount()).toBe(0);
    // The server is still healthy for the next client.
    expect((await postUpload(api.url, key, meta)).status).toBe(201);
  });
});
