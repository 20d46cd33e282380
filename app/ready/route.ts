import { checkReadiness } from "@/lib/db/readiness";
import { pool } from "@/lib/db/client";
import { json } from "@/lib/http/respond";
import { fileStore } from "@/lib/storage";

export const dynamic = "force-dynamic";

export async function GET() {
  const readiness = await checkReadiness(pool(), fileStore());
  return json(readiness, { status: readiness.ready ? 200 : 503 });
}
