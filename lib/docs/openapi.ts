import { z } from "zod";
import { uploadFieldsSchema } from "@/lib/ingestion/receive-upload";
import { uploadDtoSchema } from "@/lib/uploads/upload-dto";

/** The error body every route answers with (lib/http/respond.ts errorResponse). */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().meta({ description: "Stable machine-readable code, e.g. DUPLICATE_FILE; key on this, never on the message." }),
    message: z.string().meta({ description: "What went wrong and what to do, for a person." }),
  }),
});

const json = (schema: z.ZodType) => ({ "application/json": { schema: z.toJSONSchema(schema, { io: "output", target: "draft-2020-12" }) } });
const error = (description: string, codes: string[], retryAfter = false) => ({
  description: `${description} Codes: ${codes.join(", ")}.`,
  ...(retryAfter ? { headers: { "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer" } } } } : {}),
  content: json(errorBodySchema),
});
const unauthorized = error("No API key, or an unknown or revoked one.", ["UNAUTHORIZED"]);
const rateLimited = error("More requests per minute than the key's rate limit.", ["RATE_LIMITED"], true);

/** The client API (docs/api.md), generated from the same zod schemas the routes validate with. */
export function buildOpenApi() {
  const fields = z.toJSONSchema(uploadFieldsSchema, { io: "input", target: "draft-2020-12" }) as { properties: Record<string, unknown>; required?: string[] };
  return {
    openapi: "3.1.0",
    info: {
      title: "Ingestion Ops Console — upload API",
      version: "1",
      description: "Upload advertising-metrics CSV exports (Meta, Google Ads, TikTok) and follow them to completed. See docs/api.md and docs/formats.md.",
    },
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "A workspace API key (ik_…), created with `npm run cli -- apikey create --workspace <slug>`." },
      },
    },
    security: [{ apiKey: [] }],
    paths: {
      "/api/v1/uploads": {
        post: {
          summary: "Upload a CSV export",
          description:
            "Multipart form; send the text fields before the file (a file that comes first is refused with FIELDS_AFTER_FILE): every policy check runs on them before a byte is stored. The file is streamed to storage, never buffered whole.",
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: {
                  type: "object",
                  properties: {
                    ...fields.properties,
                    file: { type: "string", format: "binary", description: "The CSV export (UTF-8 or UTF-16, any of the platforms' layouts)." },
                  },
                  required: [...(fields.required ?? []), "file"],
                },
              },
            },
          },
          responses: {
            "201": { description: "Accepted; the upload starts as pending.", content: json(uploadDtoSchema) },
            "400": error("The form is invalid, the file came before the fields, or it is empty.", ["INVALID_REQUEST", "FIELDS_AFTER_FILE", "EMPTY_FILE"]),
            "401": unauthorized,
            "403": error("The key belongs to another workspace, or the workspace is not in the rollout.", ["WRONG_WORKSPACE", "NOT_IN_ROLLOUT"]),
            "409": error("The same file was already uploaded for this workspace.", ["DUPLICATE_FILE"]),
            "413": error("The file is larger than the limit.", ["FILE_TOO_LARGE"]),
            "415": error("The file is not a CSV.", ["UNSUPPORTED_MEDIA_TYPE"]),
            "429": error(
              "Too many uploads waiting (in all, or from this workspace: its share of the queue), or the key's rate limit.",
              ["THROTTLED", "WORKSPACE_THROTTLED", "RATE_LIMITED"],
              true,
            ),
            "503": error("Ingestion, or this workspace, is paused.", ["INGESTION_PAUSED", "WORKSPACE_PAUSED"], true),
          },
        },
      },
      "/api/v1/uploads/{id}": {
        get: {
          summary: "An upload's status and row counts",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
          responses: {
            "200": { description: "totalRows = validRows + invalidRows + ignoredRows once parsed.", content: json(uploadDtoSchema) },
            "401": unauthorized,
            "404": error("No such upload in this key's workspace (a malformed id too).", ["NOT_FOUND"]),
            "429": rateLimited,
          },
        },
      },
    },
  };
}
