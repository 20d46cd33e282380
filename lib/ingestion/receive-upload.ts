import { createHash, randomUUID } from "node:crypto";
import { Readable, Transform } from "node:stream";
import busboy from "busboy";
import type pg from "pg";
import { z } from "zod";
import { readControls, workspaceAllowedByRollout, type Controls } from "@/lib/controls/controls";
import { AppError, badRequest, conflict, forbidden } from "@/lib/errors";
import { log } from "@/lib/log";
import type { FileStore } from "@/lib/storage/file-store";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { sniffCsv } from "./parse/sniff";
import { toUploadDto, UPLOAD_DTO_COLUMNS, type UploadDto } from "@/lib/uploads/upload-dto";

export const uploadFieldsSchema = z.object({
  workspace_id: z.string({ error: "workspace_id is required" }).trim().min(1, "workspace_id is required"),
  platform: z.enum(["meta", "google", "tiktok"], { error: "platform must be one of meta, google, tiktok" }),
  source: z.enum(["manual", "api", "scheduled"], { error: "source must be one of manual, api, scheduled" }).default("api"),
});

type ApiKey = { id: string; workspaceId: string };
type Workspace = { id: string; slug: string; paused: boolean; pause_expires_at: Date | null };

export type IntakeLimits = {
  maxBytes: number;
  /** Uploads waiting (pending) in total above which intake answers 429 (D10-07). */
  concurrencyLimit: number;
  /** The fraction of that limit one workspace may fill, so that one tenant cannot starve the others. */
  workspaceShare: number;
};

const RETRY_PAUSED_SECONDS = 300;
const RETRY_THROTTLED_SECONDS = 30;

/** The most uploads one workspace may have waiting: its share of the global limit, at least one. */
export const workspaceLimit = (limits: Pick<IntakeLimits, "concurrencyLimit" | "workspaceShare">) =>
  Math.max(1, Math.floor(limits.concurrencyLimit * limits.workspaceShare));

function assertAcceptingUploads(controls: Controls) {
  if (controls.effectiveMode !== "running") {
    throw new AppError("INGESTION_PAUSED", 503, `Ingestion is ${controls.effectiveMode === "halted" ? "halted" : "draining"}; retry later.`, {
      retryAfterSeconds: RETRY_PAUSED_SECONDS,
    });
  }
}

/** D10-07: the waiting uploads of this workspace against its share, then all of them against the limit. */
async function assertUnderThrottle(db: Queryable, workspace: Workspace, limits: IntakeLimits) {
  const { rows } = await db.query<{ total: number; mine: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE workspace_id = $1)::int AS mine FROM uploads WHERE status = 'pending'`,
    [workspace.id],
  );
  const { total, mine } = rows[0];
  const share = workspaceLimit(limits);
  if (mine >= share) {
    throw new AppError(
      "WORKSPACE_THROTTLED",
      429,
      `Workspace ${workspace.slug} already has ${mine} uploads waiting, its share of the intake queue ` +
        `(${Math.round(limits.workspaceShare * 100)} % of ${limits.concurrencyLimit} = ${share}); retry shortly.`,
      { retryAfterSeconds: RETRY_THROTTLED_SECONDS, waiting: mine, share },
    );
  }
  if (total >= limits.concurrencyLimit) {
    throw new AppError("THROTTLED", 429, `${total} uploads are already waiting (limit ${limits.concurrencyLimit}); retry shortly.`, {
      retryAfterSeconds: RETRY_THROTTLED_SECONDS,
    });
  }
}

/** Checks that do not need the file: controls, workspace, key scope, rollout, pause, throttling. */
async function preflight(pool: pg.Pool, key: ApiKey, workspaceRef: string, limits: IntakeLimits): Promise<Workspace> {
  const controls = await readControls(pool);
  assertAcceptingUploads(controls);
  const { rows } = await pool.query<Workspace>(`SELECT id, slug, paused, pause_expires_at FROM workspaces WHERE slug = $1 OR id::text = $1`, [workspaceRef]);
  const workspace = rows[0];
  // An outsider learns nothing about other workspaces: unknown and foreign look the same.
  if (!workspace || workspace.id !== key.workspaceId) throw forbidden("This API key does not belong to that workspace.", "WRONG_WORKSPACE");
  if (!workspaceAllowedByRollout(controls, workspace.slug)) {
    throw forbidden(`Workspace ${workspace.slug} is not in the ingestion_v2_enabled rollout (phase ${controls.rollout.value.phase}).`, "NOT_IN_ROLLOUT");
  }
  if (workspace.paused && !(workspace.pause_expires_at && workspace.pause_expires_at <= new Date())) {
    throw new AppError("WORKSPACE_PAUSED", 503, `Ingestion for workspace ${workspace.slug} is paused; retry later.`, {
      retryAfterSeconds: RETRY_PAUSED_SECONDS,
    });
  }
  await assertUnderThrottle(pool, workspace, limits);
  return workspace;
}

type Received = { key: string; sha256: string; size: number; fileName: string };

const interrupted = () => badRequest("The upload was interrupted before the form was complete.", "UPLOAD_INTERRUPTED");

/** Hashes, counts and sniffs the bytes on their way to the store; a file that is not a CSV fails the stream. */
function fileTap(onChunk: (chunk: Buffer) => void) {
  let head: Buffer | null = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (head) {
        head = Buffer.concat([head, chunk]);
        if (head.length >= 4096) {
          const verdict = sniffCsv(head);
          head = null;
          if (!verdict.ok) return done(new AppError("UNSUPPORTED_MEDIA_TYPE", 415, `Not a CSV file: ${verdict.reason}.`));
        }
      }
      onChunk(chunk);
      done(null, chunk);
    },
    flush(done) {
      if (head) {
        if (head.length === 0) return done(new AppError("EMPTY_FILE", 400, "Not a CSV file: the file is empty."));
        const verdict = sniffCsv(head);
        if (!verdict.ok) return done(new AppError("UNSUPPORTED_MEDIA_TYPE", 415, `Not a CSV file: ${verdict.reason}.`));
      }
      done();
    },
  });
}

/**
 * Streams the multipart body: fields into `fields`, the one file to the store (hashed, size-capped,
 * sniffed). `admit` runs on the fields that came before the file, before a byte of it is stored; a
 * file that comes before its fields is refused. Settles only once the stored object, if any, is
 * either kept or deleted again, so a failure (the client going away included) leaves nothing behind.
 */
function streamMultipart(
  request: { headers: Headers; body: ReadableStream<Uint8Array>; signal?: AbortSignal },
  fields: Record<string, string>,
  store: FileStore,
  maxBytes: number,
  admit: (fields: Record<string, string>) => Promise<void>,
): Promise<Received | undefined> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: Object.fromEntries(request.headers), limits: { files: 1, fileSize: maxBytes, fields: 20, fieldSize: 1024 } });
    } catch {
      reject(badRequest("Send the upload as multipart/form-data with a 'file' field."));
      return;
    }
    const source = Readable.fromWeb(request.body as import("node:stream/web").ReadableStream);
    let stored: Promise<Received | undefined> | undefined;
    let failure: unknown;
    let settled = false;

    parser.on("field", (name, value) => (fields[name] = value));
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || stored) {
        stream.resume();
        return;
      }
      // Listened to at once: the client may go away while the checks run, before anything reads the file.
      let tap: Transform | undefined;
      stream.once("error", (error) => tap?.destroy(error));
      const key = `uploads/${new Date().toISOString().slice(0, 10)}/${randomUUID()}.csv`;
      stored = (async (): Promise<Received> => {
        await admit({ ...fields });
        if (stream.destroyed || failure) throw failure ?? interrupted();
        const hash = createHash("sha256");
        let size = 0;
        tap = fileTap((chunk) => {
          size += chunk.length;
          hash.update(chunk);
        });
        // A bad file stops the store, not the parser: the rest of the body is read and dropped, so the
        // client still gets its answer.
        tap.once("error", () => {
          stream.unpipe(tap);
          stream.resume();
        });
        try {
          await store.put(key, stream.pipe(tap));
        } catch (error) {
          await store.delete(key).catch(() => {});
          throw error;
        }
        if ((stream as unknown as { truncated?: boolean }).truncated) {
          await store.delete(key);
          throw new AppError("FILE_TOO_LARGE", 413, `The file exceeds the ${Math.round(maxBytes / 1024 / 1024)} MB limit.`);
        }
        return { key, sha256: hash.digest("hex"), size, fileName: info.filename || "upload.csv" };
      })().catch((error) => {
        failure ??= error;
        if (!stream.destroyed) stream.resume();
        return undefined;
      });
    });

    const settle = async (error?: unknown) => {
      if (settled) return;
      settled = true;
      request.signal?.removeEventListener("abort", onAbort);
      failure ??= error;
      const file = await stored;
      if (!failure) return resolve(file);
      if (file) await store.delete(file.key).catch(() => {});
      if ((failure as AppError).code === "UPLOAD_INTERRUPTED") log.warn("ingestion.upload_interrupted", { storedBytes: file?.size ?? 0 });
      reject(failure);
    };
    const onAbort = () => source.destroy(interrupted());
    parser.on("error", (error) => {
      source.unpipe(parser);
      source.resume();
      void settle(error instanceof AppError ? error : badRequest(`Malformed multipart body: ${(error as Error).message}`));
    });
    parser.on("close", () => void settle());
    // The client went away (or the body failed): the parser, the file stream and the store's write all stop.
    source.once("error", (error) => parser.destroy(error instanceof AppError ? error : interrupted()));
    request.signal?.addEventListener("abort", onAbort, { once: true });
    if (request.signal?.aborted) onAbort();
    source.pipe(parser);
  });
}

const FIELDS_FIRST = "The fields workspace_id, platform and source must come before the file in the form.";

const invalidFields = (error: z.ZodError) => badRequest(error.issues.map((i) => i.message).join("; "));

/** POST /api/v1/uploads: validates, streams the file to the store and records a pending upload. */
export async function receiveUpload(
  pool: pg.Pool,
  store: FileStore,
  key: ApiKey,
  request: { headers: Headers; body: ReadableStream<Uint8Array> | null; signal?: AbortSignal },
  limits: IntakeLimits,
): Promise<UploadDto> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.startsWith("multipart/form-data") || !request.body) {
    throw badRequest("Send the upload as multipart/form-data with fields file, workspace_id, platform and source.");
  }
  // Controls first: while halted or draining, do not read a byte of the file.
  assertAcceptingUploads(await readControls(pool));

  let checked: { workspace: Workspace; fields: z.infer<typeof uploadFieldsSchema> } | undefined;
  const fields: Record<string, string> = {};
  let file: Received | undefined;
  try {
    file = await streamMultipart({ headers: request.headers, body: request.body, signal: request.signal }, fields, store, limits.maxBytes, async (early) => {
      // Every policy check runs on the fields sent before the file, before a byte of it is stored.
      const parsed = uploadFieldsSchema.safeParse(early);
      if (!parsed.success) throw new AppError("FIELDS_AFTER_FILE", 400, FIELDS_FIRST);
      checked = { workspace: await preflight(pool, key, parsed.data.workspace_id, limits), fields: parsed.data };
    });
  } catch (error) {
    // Missing fields and late fields are told apart once the whole form has been read.
    if (error instanceof AppError && error.code === "FIELDS_AFTER_FILE") {
      const parsed = uploadFieldsSchema.safeParse(fields);
      throw parsed.success ? error : invalidFields(parsed.error);
    }
    throw error;
  }
  if (!checked) {
    const parsed = uploadFieldsSchema.safeParse(fields);
    if (!parsed.success) throw invalidFields(parsed.error);
    throw badRequest("The form has no 'file' field.");
  }
  const { workspace, fields: form } = checked;
  if (!file) throw badRequest("The form has no 'file' field.");
  try {
    return await withTransaction(pool, async (client) => {
      // The throttle again, serialized: requests checked side by side before their files arrived
      // must not all squeeze in under the same limit.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('intake.throttle'))`);
      await assertUnderThrottle(client, workspace, limits);
      const dup = await client.query<{ id: string; status: string }>(`SELECT id, status FROM uploads WHERE workspace_id = $1 AND sha256 = $2`, [
        workspace.id,
        file.sha256,
      ]);
      if (dup.rows[0]) {
        throw conflict(`This file was already uploaded for workspace ${workspace.slug} as upload ${dup.rows[0].id} (${dup.rows[0].status}).`, "DUPLICATE_FILE");
      }
      const inserted = await client.query(
        `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7) RETURNING ${UPLOAD_DTO_COLUMNS}`,
        [workspace.id, form.platform, form.source, file.fileName.slice(0, 255), file.size, file.sha256, file.key],
      );
      const upload = inserted.rows[0];
      await client.query(`INSERT INTO upload_events (upload_id, from_status, to_status, actor, reason) VALUES ($1, NULL, 'pending', $2, 'received')`, [
        upload.id,
        `api-key:${key.id.slice(0, 8)}`,
      ]);
      log.info("ingestion.received", { uploadId: upload.id, workspace: workspace.slug, platform: form.platform, sizeBytes: file.size, sha256: file.sha256 });
      return toUploadDto(upload);
    });
  } catch (error) {
    await store.delete(file.key).catch(() => {});
    if ((error as { code?: string }).code === "23505") throw conflict("This file was already uploaded for this workspace.", "DUPLICATE_FILE");
    throw error;
  }
}
