import Link from "next/link";
import type { ReactNode } from "react";
import type { Block, RunbookStep } from "@/lib/runbooks/runbook-file";

/**
 * The runbooks' Markdown, rendered on the server into React elements: paragraphs, bullet lists,
 * `code`, **bold**, links to console pages, and the command blocks with their expected output. There
 * is no HTML passthrough: every piece of text is a React text node, so it is escaped.
 */

/** Placeholders filled from the execution (e.g. the alert's upload), or left as they are. */
export type StepVars = Partial<Record<"UPLOAD_ID" | "INCIDENT_ID" | "WORKSPACE", string>>;

export function fill(text: string, vars: StepVars = {}): string {
  return text.replace(/<(UPLOAD_ID|INCIDENT_ID|WORKSPACE)>/g, (whole, name: keyof StepVars) => vars[name] ?? whole);
}

const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\[[^\]]+\]\([^)\s]+\))/g;

export function Inline({ text, vars }: { text: string; vars?: StepVars }) {
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of fill(text, vars).matchAll(INLINE)) {
    if (m.index > last) out.push(m.input.slice(last, m.index));
    const token = m[0];
    if (m[1])
      out.push(
        <code key={m.index} className="rounded bg-slate-100 px-1 font-mono text-[0.85em]">
          {token.slice(1, -1)}
        </code>,
      );
    else if (m[2]) out.push(<strong key={m.index}>{token.slice(2, -2)}</strong>);
    else {
      const [, label, href] = token.match(/^\[([^\]]+)\]\(([^)\s]+)\)$/)!;
      // Only console paths become links; anything else (or a path with a placeholder left) stays text.
      out.push(
        href.startsWith("/") && !href.startsWith("//") && !href.includes("<") ? (
          <Link key={m.index} href={href} className="font-mono text-blue-700 underline">
            {label}
          </Link>
        ) : (
          <code key={m.index} className="font-mono">
            {label}
          </code>
        ),
      );
    }
    last = m.index + token.length;
  }
  out.push(fill(text, vars).slice(last));
  return <>{out}</>;
}

const COMMAND_LABEL = { sql: "SQL", sh: "Shell" } as const;
const FLAG_LABEL = { write: "changes data — only as this step says", log: "jq over the JSON logs", manual: "on the host", backup: "backup tool" } as const;

export function Blocks({ blocks, vars }: { blocks: Block[]; vars?: StepVars }) {
  return (
    <>
      {blocks.map((b, i) => {
        if (b.kind === "paragraph") {
          const label = b.text.match(/^\*\*(Expect|If not):\*\*\s*/);
          return (
            <p key={i} className={label ? (label[1] === "Expect" ? "text-emerald-950" : "text-amber-950") : undefined}>
              <Inline text={b.text} vars={vars} />
            </p>
          );
        }
        if (b.kind === "list") {
          return (
            <ul key={i} className="list-disc space-y-0.5 pl-5">
              {b.items.map((item, j) => (
                <li key={j}>
                  <Inline text={item} vars={vars} />
                </li>
              ))}
            </ul>
          );
        }
        if (b.kind === "text") {
          return (
            <pre key={i} className="overflow-x-auto whitespace-pre-wrap rounded border border-slate-200 bg-slate-50 p-2 font-mono text-xs">
              {fill(b.text, vars)}
            </pre>
          );
        }
        return (
          <figure key={i} className="text-sm" data-testid="runbook-command" data-lang={b.lang}>
            <figcaption className="font-medium">
              {COMMAND_LABEL[b.lang]}
              {b.lang === "sql" && !b.flag && " (read-only)"}
              {b.flag && ` (${FLAG_LABEL[b.flag]})`}:
            </figcaption>
            <pre className="mt-0.5 overflow-x-auto whitespace-pre-wrap rounded bg-slate-900 p-2 font-mono text-xs text-slate-100">{fill(b.text, vars)}</pre>
            {b.expected !== null && (
              <>
                <div className="mt-1 text-xs font-medium text-slate-600">Expected output:</div>
                <pre className="overflow-x-auto whitespace-pre rounded border border-slate-300 bg-white p-2 font-mono text-xs">{fill(b.expected, vars)}</pre>
              </>
            )}
          </figure>
        );
      })}
    </>
  );
}

/** One step's body: its text, commands, expected outputs, and the explicit "if not". */
export function StepBody({ step, vars }: { step: RunbookStep; vars?: StepVars }) {
  return (
    <div className="space-y-2 text-sm">
      <Blocks blocks={step.blocks} vars={vars} />
    </div>
  );
}
