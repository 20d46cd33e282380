export const dynamic = "force-dynamic";

/** Process liveness only: no I/O. */
export function GET() {
  return Response.json({ status: "ok" });
}
