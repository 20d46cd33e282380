import { createHash, randomUUID } from "node:crypto";
import { Readable, Transform } from "node:stream";
import busboy from "busboy";
import type pg from "pg";
import { z } from "zod";
import { readControls, workspaceAllowedByRollout, type Controls } from "@/lib/controls/controls";
import { AppError, badRequest, conflict, forbidden } from "@/lib/errors";
import { log } from "@/lib/log";
import type { FileStore } from "@/lib/storage/file-store";
import { withTransaction } from "@/lib/db/sql";
import { sniffCsv } from "./parse/sniff";
import { toUploadDto, UPLOAD_DTO_COLUMNS, type UploadDto } from "./upload-dto";

export const uploadFieldsSchema = z.object({
  workspace_id: z.string({ error: "workspace_id is required" }).trim().min(1, "workspace_id is required"),
  platform: z.enum(["meta", "google", "tiktok"], { error: "platform must be one of meta, google, tiktok" }),
  source: z.enum(["manual", "api", "scheduled"], { error: "source must be one of manual, api, scheduled" }).default("api"),
});

type ApiKey = { id: string; workspaceId: string };
type Workspace = { id: string; slug: string; paused: boolean; pause_expires_at: Date | null };

export type IntakeLimits = { maxBytes: number; concurrencyLimit: number };

const RETRY_PAUSED_SECONDS = 300;

function assertAcceptingUploads(controls: Controls) {
  if (controls.effectiveMode !== "running") {
    throw new AppError("INGESTION_PAUSED", 503, `Ingestion is ${controls.effectiveMode === "halted" ? "halted" : "draining"}; retry later.`, {
      retryAfterSeconds: RETRY_PAUSED_SECONDS,
    });
  }
}

/** Checks that do not need the file: controls, workspace, key scope, rollout, pause, throttling. */
async function preflight(pool: pg.Pool, key: ApiKey, workspaceRef: string, limits: IntakeLimits): Promise<Workspace> {
  const controls = await readControls(pool);
  assertAcceptingUploads(controls);
  const { rows } = await pool.query<Workspace>(
    `SELECT id, slug, paused, pause_expires_at FROM workspaces WHERE slug = $1 OR id::text = $1`,
    [workspaceRef],
  );
  const workspace = rows[0];
  // An outsider learns nothing about other workspaces: unknown and foreign look the same.
  if (!workspace || workspace.id !== key.workspaceId) throw forbidden("This API key does not belong to that workspace.", "WRONG_WORKSPACE");
  if (!workspaceAllowedByRollout(controls, workspace.slug)) {
    throw forbidden(`Workspace ${workspace.slug} is not in the ingestion_v2_enabled rollout (phase ${controls.rollout.value.phase}).`, "NOT_IN_ROLLOUT");
  }
  if (workspace.paused && !(workspace.pause_expires_at && workspace.pause_expires_at <= new Date())) {
    throw new AppError("WORKSPACE_PAUSED", 503, `Ingestion for workspace ${workspace.slug} is paused; retry later.`, { retryAfterSeconds: RETRY_PAUSED_SECONDS });
  }
  const waiting = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM uploads WHERE status = 'pending'`);
  if (Number(waiting.rows[0].n) >= limits.concurrencyLimit) {
    throw new AppError("THROTTLED", 429, `${waiting.rows[0].n} uploads are already waiting (limit ${limits.concurrencyLimit}); retry shortly.`, {
      retryAfterSeconds: 30,
    });
  }
  return workspace;
}

type Received = { key: string; sha256: string; size: number; fileName: string };

/** Streams the multipart body: fields into a map, the one file to the store (hashed, size-capped, sniffed). */
function streamMultipart(
  headers: Headers,
  body: ReadableStream<Uint8Array>,
  store: FileStore,
  maxBytes: number,
  onFileStart: (fields: Record<string, string>) => Promise<void>,
): Promise<{ fields: Record<string, string>; file?: Received }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: Object.fromEntries(headers), limits: { files: 1, fileSize: maxBytes, fields: 20, fieldSize: 1024 } });
    } catch {
      reject(badRequest("Send the upload as multipart/form-data with a 'file' field."));
      return;
    }
    const fields: Record<string, string> = {};
    let stored: Promise<Received> | undefined;
    let failed: unknown;
    parser.on("field", (name, value) => (fields[name] = value));
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || stored) {
        stream.resume();
        return;
      }
      const key = `uploads/${new Date().toISOString().slice(0, 10)}/${randomUUID()}.csv`;
      const hash = createHash("sha256");
      let size = 0;
      let head: Buffer | null = Buffer.alloc(0);
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          if (head) {
            head = Buffer.concat([head, chunk]);
            if (head.length >= 4096) {
              const verdict = sniffCsv(head);
              head = null;
              if (!verdict.ok) return done(new AppError("UNSUPPORTED_MEDIA_TYPE", 415, `Not a CSV file: ${verdict.reason}.`));
            }
          }
          size += chunk.length;
          hash.update(chunk);
          done(null, chunk);
        },
        flush(done) {
          if (head) {
            const verdict = head.length === 0 ? { ok: false as const, reason: "the file is empty" } : sniffCsv(head);
            if (!verdict.ok) return done(new AppError(head.length === 0 ? "EMPTY_FILE" : "UNSUPPORTED_MEDIA_TYPE", head.length === 0 ? 400 : 415, `Not a CSV file: ${verdict.reason}.`));
          }
          done();
        },
      });
      stored = (async () => {
        await onFileStart({ ...fields });
        await store.put(key, stream.pipe(tap));
        if ((stream as unknown as { truncated?: boolean }).truncated) {
          await store.delete(key);
          throw new AppError("FILE_TOO_LARGE", 413, `The file exceeds the ${Math.round(maxBytes / 1024 / 1024)} MB limit.`);
        }
        return { key, sha256: hash.digest("hex"), size, fileName: info.filename || "upload.csv" };
      })().catch(async (error) => {
        stream.resume();
        await store.delete(key).catch(() => {});
        throw error;
      });
      stored.catch((error) => (failed ??= error));
    });
    parser.on("error", (error) => reject(failed ?? badRequest(`Malformed multipart body: ${(error as Error).message}`)));
    parser.on("close", async () => {
      try {
        const file = stored ? await stored : undefined;
        resolve({ fields, file });
      } catch (error) {
        reject(error);
      }
    });
    Readable.fromWeb(body as import("node:stream/web").ReadableStream).on("error", reject).pipe(parser);
  });
}

/** POST /api/v1/uploads: validates, streams the file to the store and records a pending upload. */
export async function receiveUpload(
  pool: pg.Pool,
  store: FileStore,
  key: ApiKey,
  request: { headers: Headers; body: ReadableStream<Uint8Array> | null },
  limits: IntakeLimits,
): Promise<UploadDto> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.startsWith("multipart/form-data") || !request.body) {
    throw badRequest("Send the upload as multipart/form-data with fields file, workspace_id, platform and source.");
  }
  // Controls first: while halted or draining, do not read a byte of the file.
  assertAcceptingUploads(await readControls(pool));

  let checked: Workspace | undefined;
  const { fields, file } = await streamMultipart(request.headers, request.body, store, limits.maxBytes, async (early) => {
    const parsed = uploadFieldsSchema.safeParse(early);
    if (parsed.success) checked = await preflight(pool, key, parsed.data.workspace_id, limits);
  });
  const parsed = uploadFieldsSchema.safeParse(fields);
  const discard = () => (file ? store.delete(file.key) : Promise.resolve());
  if (!parsed.success) {
    await discard();
    throw badRequest(parsed.error.issues.map((i) => i.message).join("; "));
  }
  if (!file) throw badRequest("The form has no 'file' field.");
  try {
    const workspace = checked ?? (await preflight(pool, key, parsed.data.workspace_id, limits));
    return await withTransaction(pool, async (client) => {
      const dup = await client.query<{ id: string; status: string }>(`SELECT id, status FROM uploads WHERE workspace_id = $1 AND sha256 = $2`, [workspace.id, file.sha256]);
      if (dup.rows[0]) {
        throw conflict(`This file was already uploaded for workspace ${workspace.slug} as upload ${dup.rows[0].id} (${dup.rows[0].status}).`, "DUPLICATE_FILE");
      }
      const inserted = await client.query(
        `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7) RETURNING ${UPLOAD_DTO_COLUMNS}`,
        [workspace.id, parsed.data.platform, parsed.data.source, file.fileName.slice(0, 255), file.size, file.sha256, file.key],
      );
      const upload = inserted.rows[0];
      await client.query(`INSERT INTO upload_events (upload_id, from_status, to_status, actor, reason) VALUES ($1, NULL, 'pending', $2, 'received')`, [
        upload.id,
        `api-key:${key.id.slice(0, 8)}`,
      ]);
      log.info("ingestion.received", { uploadId: upload.id, workspace: workspace.slug, platform: parsed.data.platform, sizeBytes: file.size, sha256: file.sha256 });
      return toUploadDto(upload);
    });
  } catch (error) {
    await discard();
    if ((error as { code?: string }).code === "23505") throw conflict("This file was already uploaded for this workspace.", "DUPLICATE_FILE");
    throw error;
  }
}
