import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { notFound } from "@/lib/errors";
import { parseRunbook, type Runbook } from "./runbook-file";

/** The runbooks folder at the repository root; `next start` runs there, and next.config traces the files into the build. */
export const RUNBOOKS_DIR = path.join(process.cwd(), "runbooks");

let cached: { runbooks: readonly Runbook[]; at: number } | undefined;
/** Outside production the files are re-read at most this often, so an edit shows on reload without re-reading them per row of a list. */
const DEV_REREAD_MS = 2000;

/**
 * Every runbook, read from `runbooks/*.md`, sorted by id. A malformed file throws RUNBOOK_INVALID
 * (the tests parse every file, so that never reaches an incident). Read once per process in
 * production; re-read in development so an edited file shows on reload.
 */
export function listRunbooks(dir = RUNBOOKS_DIR): readonly Runbook[] {
  if (cached && dir === RUNBOOKS_DIR && (process.env.NODE_ENV === "production" || Date.now() - cached.at < DEV_REREAD_MS)) return cached.runbooks;
  const runbooks = readdirSync(dir)
    .filter((name) => name.endsWith(".md") && name !== "README.md")
    .sort()
    .map((name) => parseRunbook(readFileSync(path.join(dir, name), "utf8"), name));
  if (dir === RUNBOOKS_DIR) cached = { runbooks, at: Date.now() };
  return runbooks;
}

export function findRunbook(slug: string): Runbook | undefined {
  return listRunbooks().find((r) => r.slug === slug);
}

export function findRunbookOrThrow(slug: string): Runbook {
  const runbook = findRunbook(slug);
  if (!runbook) throw notFound(`Runbook ${slug}`);
  return runbook;
}
