import { pool } from "@/lib/db/client";
import { publicReadiness } from "@/lib/db/readiness";
import { json } from "@/lib/http/respond";
import { fileStore } from "@/lib/storage";

export const dynamic = "force-dynamic";

export async function GET() {
  const { status, body } = await publicReadiness(pool(), fileStore());
  return json(body, { status });
}
