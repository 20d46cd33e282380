/**
 * CSV (RFC 4180) that is safe to open in a spreadsheet: a cell whose text starts with `=`, `+`, `-`, `@`
 * (or tab / carriage return, optionally after spaces) would be evaluated as a formula, so it gets a
 * leading `'` and is shown as text (CSV injection).
 */
const FORMULA_START = /^\s*[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : value instanceof Date ? value.toISOString() : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
