import { pool } from "@/lib/db/client";
import { publicReadiness } from "@/lib/db/readiness";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export async function GET() {
  const { status, body } = await publicReadiness(pool());
  return json(body, { status });
}
