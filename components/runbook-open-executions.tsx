"use client";

import Link from "next/link";
import type { Execution } from "@/lib/runbooks/runbook-executions";
import { IDLE_HOURS } from "@/lib/runbooks/execution-rules";
import { RelativeTime, useNow, utc } from "./ui";

/** Open executions, oldest first; one idle for hours is flagged: continue it or close it with an outcome. */
export function OpenExecutions({ executions }: { executions: Execution[] }) {
  const now = useNow();
  return (
    <ul className="space-y-2">
      {executions.map((e) => {
        const idle = now !== null && now - new Date(e.lastActivityAt).getTime() > IDLE_HOURS * 3_600_000;
        return (
          <li
            key={e.id}
            data-testid={`open-execution-${e.id}`}
            className={`flex flex-wrap items-center justify-between gap-2 rounded-lg border p-3 ${idle ? "border-red-500 bg-red-50" : "border-blue-300 bg-white"}`}
          >
            <div className="text-sm">
              <strong>{e.runbookTitle}</strong> · <span className="font-mono">{e.incidentId}</span> · started by {e.startedBy}{" "}
              <RelativeTime value={e.startedAt} /> ({utc(e.startedAt)}) · {e.progress.recorded}/{e.progress.required} steps recorded
              {e.progress.failed ? `, ${e.progress.failed} failed` : ""}
              {idle && (
                <strong className="block text-red-700">
                  No activity for over {IDLE_HOURS} h: continue it, or close it with an outcome. It cannot be left open silently.
                </strong>
              )}
            </div>
            <Link href={`/runbooks/executions/${e.id}`} className="rounded bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white">
              Continue
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
