import { json } from "@/lib/http/respond";
import { buildOpenApi } from "@/lib/docs/openapi";

/** The upload API's OpenAPI document: public, like the API's documentation. */
export const GET = () => json(buildOpenApi(), { headers: { "cache-control": "public, max-age=300" } });
