import { cronRoute } from "@/lib/http/bearer-route";
import { runPromote } from "@/lib/workers/run-workers";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const { GET, POST } = cronRoute(runPromote);
