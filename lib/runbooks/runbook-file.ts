import { createHash } from "node:crypto";
import { z } from "zod";
import { ROLES } from "@/lib/auth/permissions";
import { badRequest } from "@/lib/errors";

/**
 * A runbook is a Markdown file in `runbooks/` (Iteration 06: versioned, dated, one procedure per file).
 * This module turns one file into a checked structure: front matter validated with zod, the sections
 * of its template in order, and numbered steps (`### 2.3 Title`) whose ids the execution log records.
 * It is pure (text in, structure out) so that the console, the tests and a reviewer's tool read the
 * files the same way.
 */

/** Each type's template (Iteration 06 "Documentation Requirements"); optional sections need no result to close an execution as resolved. */
export const TEMPLATES = {
  failure: [
    { label: "Detect", required: true },
    { label: "Diagnose", required: true },
    { label: "Recover", required: true },
    { label: "Verify", required: true },
    { label: "Document", required: true },
    { label: "Rollback", required: false, optional: true },
  ],
  task: [
    { label: "Prerequisites", required: true },
    { label: "Steps", required: true },
    { label: "Verification", required: true },
    { label: "Rollback", required: false },
  ],
  escalation: [
    { label: "When", required: true },
    { label: "To whom", required: true },
    { label: "With what", required: true },
  ],
  postmortem: [
    { label: "What happened", required: true },
    { label: "Why", required: true },
    { label: "What we changed", required: true },
  ],
} as const satisfies Record<string, readonly { label: string; required: boolean; optional?: boolean }[]>;
export type RunbookType = keyof typeof TEMPLATES;
export const RUNBOOK_TYPES = Object.keys(TEMPLATES) as RunbookType[];
export const TYPE_LABEL: Record<RunbookType, string> = { failure: "Failure mode", task: "Operational task", escalation: "Escalation", postmortem: "Postmortem template" };

export const SEVERITIES = ["info", "warning", "page", "critical"] as const;

const list = z.array(z.string().trim().min(1)).min(1);
export const frontMatterSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "lowercase words joined by hyphens"),
  title: z.string().trim().min(5),
  type: z.enum(RUNBOOK_TYPES as [RunbookType, ...RunbookType[]]),
  version: z.string().regex(/^\d+\.\d+$/, "major.minor, e.g. 2.1"),
  date: z.iso.date(),
  owner: z.enum(ROLES),
  scenarios: list,
  severity: z.enum(SEVERITIES),
  summary: z.string().trim().min(20),
  hard_stop: z.string().trim().min(5).optional(),
});
export type FrontMatter = z.infer<typeof frontMatterSchema>;

/**
 * Fenced blocks: ```sql and ```sh are commands; a flag after the language says how the command
 * tests treat it — `write` (SQL that changes data: only an emergency fix or a task that says so; run
 * inside a rolled-back transaction), `log` (jq over the JSON logs: its event names are checked against
 * the code), `manual` (a command on the host, e.g. an environment change or a restart), `backup`
 * (pg_dump / pg_restore, run by the backup test). An ```output block right after a command is the
 * output it must print.
 */
export const COMMAND_FLAGS = ["write", "log", "manual", "backup"] as const;
export type CommandFlag = (typeof COMMAND_FLAGS)[number];

export type Block =
  | { kind: "paragraph"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "command"; lang: "sql" | "sh"; flag: CommandFlag | null; text: string; expected: string | null }
  | { kind: "text"; text: string };

export type RunbookStep = { id: string; section: string; sectionLabel: string; title: string; blocks: Block[] };
export type RunbookSection = { key: string; label: string; required: boolean; intro: Block[]; steps: RunbookStep[] };
export type Runbook = FrontMatter & {
  slug: string;
  intro: Block[];
  sections: RunbookSection[];
  steps: RunbookStep[];
  /** sha256 of the file, so an execution can tell whether the text changed without a version bump. */
  digest: string;
};

const sectionKey = (label: string) => label.toLowerCase().replace(/[^a-z]+/g, "_");

function parseFrontMatter(lines: string[], file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of lines) {
    if (!line.trim()) continue;
    const m = line.match(/^([a-z_]+):\s*(.*)$/);
    if (!m) throw badRequest(`${file}: front matter line "${line}" is not "key: value".`, "RUNBOOK_INVALID");
    const value = m[2].trim();
    out[m[1]] = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1).split(",").map((s) => s.trim()).filter(Boolean) : value;
  }
  return out;
}

/** Splits Markdown into blocks: fenced code (with its output), bullet lists, paragraphs. */
function parseBlocks(lines: string[], file: string, where: string): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = line.match(/^```\s*([a-z]*)\s*([a-z-]*)\s*$/);
    if (fence) {
      const end = lines.indexOf("```", i + 1);
      if (end < 0) throw badRequest(`${file} ${where}: unclosed code fence.`, "RUNBOOK_INVALID");
      const text = lines.slice(i + 1, end).join("\n");
      const [lang, flag] = [fence[1], fence[2] || null];
      i = end + 1;
      if (lang === "output") {
        const prev = blocks.at(-1);
        if (prev?.kind !== "command" || prev.expected !== null) throw badRequest(`${file} ${where}: an output block must follow a command.`, "RUNBOOK_INVALID");
        prev.expected = text;
      } else if (lang === "sql" || lang === "sh") {
        if (flag !== null && !(COMMAND_FLAGS as readonly string[]).includes(flag)) throw badRequest(`${file} ${where}: unknown command flag "${flag}".`, "RUNBOOK_INVALID");
        if (!text.trim()) throw badRequest(`${file} ${where}: empty ${lang} block.`, "RUNBOOK_INVALID");
        blocks.push({ kind: "command", lang, flag: flag as CommandFlag | null, text, expected: null });
      } else if (lang === "text" || lang === "") {
        blocks.push({ kind: "text", text });
      } else {
        throw badRequest(`${file} ${where}: code blocks are sql, sh, output or text, not "${lang}".`, "RUNBOOK_INVALID");
      }
      continue;
    }
    if (/^- /.test(line)) {
      const items: string[] = [];
      while (i < lines.length && /^(- |  )/.test(lines[i])) {
        if (lines[i].startsWith("- ")) items.push(lines[i].slice(2).trim());
        else items[items.length - 1] += ` ${lines[i].trim()}`;
        i++;
      }
      blocks.push({ kind: "list", items });
      continue;
    }
    if (/^#/.test(line)) throw badRequest(`${file} ${where}: unexpected heading "${line}".`, "RUNBOOK_INVALID");
    const para: string[] = [];
    while (i < lines.length && lines[i].trim() && !/^(```|- |#)/.test(lines[i])) para.push(lines[i++].trim());
    blocks.push({ kind: "paragraph", text: para.join(" ") });
  }
  return blocks;
}

/** Parses one runbook file; throws RUNBOOK_INVALID naming the file and the problem. */
export function parseRunbook(source: string, file: string): Runbook {
  const lines = source.replace(/\r\n/g, "\n").split("\n");
  if (lines[0] !== "---") throw badRequest(`${file}: must start with front matter between --- lines.`, "RUNBOOK_INVALID");
  const close = lines.indexOf("---", 1);
  if (close < 0) throw badRequest(`${file}: front matter is not closed.`, "RUNBOOK_INVALID");
  const parsed = frontMatterSchema.safeParse(parseFrontMatter(lines.slice(1, close), file));
  if (!parsed.success) {
    throw badRequest(`${file}: front matter: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, "RUNBOOK_INVALID");
  }
  const meta = parsed.data;
  const expectedFile = `${meta.id}.md`;
  if (!file.endsWith(expectedFile)) throw badRequest(`${file}: id ${meta.id} must match the file name ${expectedFile}.`, "RUNBOOK_INVALID");

  const body = lines.slice(close + 1);
  const template = TEMPLATES[meta.type] as readonly { label: string; required: boolean; optional?: boolean }[];
  const chunks: { heading: string | null; lines: string[] }[] = [{ heading: null, lines: [] }];
  for (const line of body) {
    if (line.startsWith("## ")) chunks.push({ heading: line.slice(3).trim(), lines: [] });
    else chunks.at(-1)!.lines.push(line);
  }
  const [introChunk, ...sectionChunks] = chunks;
  const labels = sectionChunks.map((c) => c.heading);
  const expectedLabels = template.filter((t) => !("optional" in t && t.optional) || labels.includes(t.label)).map((t) => t.label);
  if (labels.join(" → ") !== expectedLabels.join(" → ")) {
    throw badRequest(`${file}: a ${meta.type} runbook has the sections ${expectedLabels.join(" → ")}, found ${labels.join(" → ") || "none"}.`, "RUNBOOK_INVALID");
  }

  const sections = sectionChunks.map((chunk): RunbookSection => {
    const label = chunk.heading!;
    const number = template.findIndex((t) => t.label === label) + 1;
    const key = sectionKey(label);
    const parts: { heading: string | null; lines: string[] }[] = [{ heading: null, lines: [] }];
    for (const line of chunk.lines) {
      if (line.startsWith("### ")) parts.push({ heading: line.slice(4).trim(), lines: [] });
      else parts.at(-1)!.lines.push(line);
    }
    const [introPart, ...stepParts] = parts;
    if (!stepParts.length) throw badRequest(`${file}: section ${label} has no step.`, "RUNBOOK_INVALID");
    const steps = stepParts.map((part, index): RunbookStep => {
      const m = part.heading!.match(/^(\d+)\.(\d+) (.+)$/);
      const id = `${number}.${index + 1}`;
      if (!m || `${m[1]}.${m[2]}` !== id) throw badRequest(`${file}: step "${part.heading}" in ${label} must be numbered ${id}.`, "RUNBOOK_INVALID");
      const blocks = parseBlocks(part.lines, file, `step ${id}`);
      if (!blocks.some((b) => b.kind !== "command")) throw badRequest(`${file}: step ${id} says nothing but commands.`, "RUNBOOK_INVALID");
      return { id, section: key, sectionLabel: label, title: m[3].trim(), blocks };
    });
    return { key, label, required: template[number - 1].required, intro: parseBlocks(introPart.lines, file, label), steps };
  });

  return {
    ...meta,
    slug: meta.id,
    intro: parseBlocks(introChunk.lines, file, "introduction"),
    sections,
    steps: sections.flatMap((s) => s.steps),
    digest: createHash("sha256").update(source).digest("hex"),
  };
}

/** Steps that must have a result before an execution can be closed as resolved (a rollback applies only when needed). */
export const requiredSteps = (runbook: Runbook) => runbook.sections.filter((s) => s.required).flatMap((s) => s.steps);

/** Every command of a runbook, with the step it belongs to. */
export const commandsOf = (runbook: Runbook) =>
  runbook.steps.flatMap((step) => step.blocks.filter((b): b is Extract<Block, { kind: "command" }> => b.kind === "command").map((command) => ({ step, command })));
