/**
 * Expected outputs in runbooks are written the way the operator sees them: SQL as psql prints a
 * result (aligned table, `(N rows)` footer; `UPDATE 1` for a change), shell as the command prints it.
 * `…` in a cell or a line matches anything (ids, timestamps). These functions return null when the
 * actual output matches, or a sentence saying what differs.
 */

const WILDCARD = "…";

type SqlResult = { command: string; rowCount: number; fields: { name: string }[]; rows: (string | null)[][] };

const cells = (line: string) => line.split("|").map((c) => c.trim());

const cellMatches = (expected: string, actual: string | null) => {
  if (expected === WILDCARD) return true;
  const text = actual ?? "";
  if (!expected.includes(WILDCARD)) return expected === text;
  const pattern = expected.split(WILDCARD).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${pattern}$`, "s").test(text);
};

export function matchSqlOutput(expected: string, actual: SqlResult): string | null {
  const lines = expected.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim());
  const tag = lines.length === 1 && lines[0].trim().match(/^(INSERT 0|UPDATE|DELETE) (\d+)$/);
  if (tag) {
    const got = `${actual.command === "INSERT" ? "INSERT 0" : actual.command} ${actual.rowCount}`;
    return got === lines[0].trim() ? null : `expected "${lines[0].trim()}", got "${got}"`;
  }
  const footer = lines.at(-1)?.trim().match(/^\((\d+) rows?\)$/);
  if (lines.length < 3 || !/^-+(\+-+)*$/.test(lines[1].trim()) || !footer) {
    return "an SQL output block is a psql table: a header line, a ----+---- line, the rows, and (N rows)";
  }
  const columns = cells(lines[0]);
  const got = actual.fields.map((f) => f.name);
  if (columns.join(" | ") !== got.join(" | ")) return `columns: expected ${columns.join(" | ")}, got ${got.join(" | ")}`;
  const count = Number(footer[1]);
  if (actual.rows.length !== count) return `expected ${count} row(s), got ${actual.rows.length}: ${JSON.stringify(actual.rows)}`;
  const rows = lines.slice(2, -1);
  if (rows.length && rows.length !== count) return `the output shows ${rows.length} row(s) but its footer says ${count}`;
  for (const [i, row] of rows.entries()) {
    const want = cells(row);
    const have = actual.rows[i];
    if (want.length !== have.length || want.some((w, j) => !cellMatches(w, have[j]))) {
      return `row ${i + 1}: expected ${want.join(" | ")}, got ${have.map((v) => v ?? "").join(" | ")}`;
    }
  }
  return null;
}

export function matchCommandOutput(expected: string, stdout: string): string | null {
  const want = expected.trim().split("\n").map((l) => l.trim());
  const have = stdout.trim().split("\n").map((l) => l.trim());
  if (want.length !== have.length || want.some((w, i) => !cellMatches(w, have[i]))) return `expected:\n${expected.trim()}\ngot:\n${stdout.trim()}`;
  return null;
}
