import { notFound } from "next/navigation";
import { RunbookExecutionView } from "@/components/runbook-execution-view";
import { decide } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { pool } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { getRunbookExecutionOrThrow } from "@/lib/runbooks/runbook-executions";

export const dynamic = "force-dynamic";

export default async function RunbookExecutionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  const execution = await getRunbookExecutionOrThrow(pool(), id).catch((error) => {
    if (error instanceof AppError && error.status === 404) notFound();
    throw error;
  });
  return <RunbookExecutionView initial={JSON.parse(JSON.stringify(execution))} canExecute={decide(user, "runbook.execute")} />;
}
