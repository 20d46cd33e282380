/** Badges shared by the runbook pages (server and client). */
const RESULT_STYLE = { ok: "bg-emerald-100 text-emerald-800", failed: "bg-red-100 text-red-800", skipped: "bg-slate-200 text-slate-800" } as const;

export function ResultBadge({ result }: { result: keyof typeof RESULT_STYLE }) {
  return <span className={`inline-block rounded px-2 py-0.5 text-xs font-bold uppercase ${RESULT_STYLE[result]}`}>{result}</span>;
}

const STATUS_STYLE = {
  open: "bg-blue-100 text-blue-800",
  resolved: "bg-emerald-100 text-emerald-800",
  escalated: "bg-amber-100 text-amber-900",
  aborted: "bg-slate-200 text-slate-800",
} as const;

export function ExecutionStatusBadge({ status }: { status: keyof typeof STATUS_STYLE }) {
  return <span className={`inline-block rounded px-2 py-0.5 text-xs font-bold uppercase ${STATUS_STYLE[status]}`}>{status}</span>;
}
