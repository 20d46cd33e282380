/**
 * Cell validators for the hot path: char-code loops, no regex, no allocation on the common path.
 * Each parser returns a status code and leaves its normalized value in a module-level variable
 * (`num.out`, `dates.out`) so that no result object is allocated per cell.
 */

// ---------------------------------------------------------------------------------------------
// Numbers

export const NUM_OK = 0;
export const NUM_INVALID = 1; // not a number
export const NUM_NEGATIVE = 2; // a valid number below zero (num.out holds "-<value>")
export const NUM_TOO_MANY_DECIMALS = 3;
export const NUM_NOT_INTEGER = 4;
export const NUM_TOO_LARGE = 5;

export const num = { out: "" };

function isSpace(c: number): boolean {
  return c <= 32 || c === 0xa0 || c === 0xfeff;
}

/**
 * Parses a metric cell. Empty and `--` mean 0. Accepts an optional leading `-` (reported as
 * NUM_NEGATIVE unless the value is zero), thousands separators with proper 3-digit groups
 * (`1,234,567.5`), and a fraction. Trailing zeros of the fraction are not significant
 * (`1.5000000` is 1.5). Normalized output: no separators, no leading zeros, no trailing
 * fractional zeros (`0012.3400` -> `12.34`, `1,000` -> `1000`, `.5` -> `0.5`).
 *
 * @param maxDecimals significant decimals allowed (0 = integer column)
 * @param maxIntDigits digits allowed before the decimal point (database column limits)
 */
export function parseNumber(s: string, maxDecimals: number, maxIntDigits: number): number {
  let i = 0;
  let j = s.length;
  while (i < j && isSpace(s.charCodeAt(i))) i++;
  while (j > i && isSpace(s.charCodeAt(j - 1))) j--;
  if (i === j || (j - i === 2 && s.charCodeAt(i) === 45 && s.charCodeAt(i + 1) === 45)) {
    num.out = "0";
    return NUM_OK;
  }
  let neg = false;
  if (s.charCodeAt(i) === 45) {
    neg = true;
    i++;
  }
  // integer part with optional thousands separators
  const intStart = i;
  let digits = 0;
  let group = 0;
  let commas = 0;
  let c = 0;
  let p = i;
  for (; p < j; p++) {
    c = s.charCodeAt(p);
    if (c >= 48 && c <= 57) {
      digits++;
      group++;
    } else if (c === 44) {
      if (group === 0 || (commas === 0 ? group > 3 : group !== 3)) return NUM_INVALID;
      commas++;
      group = 0;
    } else break;
  }
  if (commas > 0 && group !== 3) return NUM_INVALID;
  const intEnd = p;
  let fracStart = p;
  let fracEnd = p;
  if (p < j) {
    if (c !== 46) return NUM_INVALID; // '.'
    p++;
    fracStart = p;
    for (; p < j; p++) {
      c = s.charCodeAt(p);
      if (c < 48 || c > 57) return NUM_INVALID;
    }
    fracEnd = p;
    if (digits === 0 && fracEnd === fracStart) return NUM_INVALID; // "." or "-."
  } else if (digits === 0) return NUM_INVALID; // "-"

  // normalize the integer part
  let lead = intStart;
  while (lead < intEnd && (s.charCodeAt(lead) === 48 || s.charCodeAt(lead) === 44)) lead++;
  let intText: string;
  if (lead === intEnd) intText = "0";
  else if (commas === 0) intText = s.slice(lead, intEnd);
  else intText = s.slice(lead, intEnd).replaceAll(",", "");
  // drop insignificant zeros of the fraction
  let fe = fracEnd;
  while (fe > fracStart && s.charCodeAt(fe - 1) === 48) fe--;
  const decimals = fe - fracStart;
  if (decimals > maxDecimals) return maxDecimals === 0 ? NUM_NOT_INTEGER : NUM_TOO_MANY_DECIMALS;
  if (intText.length > maxIntDigits) return NUM_TOO_LARGE;

  let out: string;
  if (decimals === 0) {
    // common case: plain digits, nothing to rewrite -> reuse the cell string itself
    out = i === 0 && lead === 0 && j === s.length && intEnd === j && !neg && commas === 0 ? s : intText;
  } else {
    out = intText + "." + s.slice(fracStart, fe);
  }
  if (neg && out !== "0") {
    num.out = "-" + out;
    return NUM_NEGATIVE;
  }
  num.out = out;
  return NUM_OK;
}

/** a > b for normalized non-negative integer strings (no leading zeros). */
export function intGreater(a: string, b: string): boolean {
  if (a.length !== b.length) return a.length > b.length;
  return a > b;
}

// ---------------------------------------------------------------------------------------------
// Dates

export const MIN_YEAR = 2000;
export const dates = { out: "" };

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/**
 * Parses `YYYY-MM-DD`, `MM/DD/YYYY` or `DD.MM.YYYY` (month and day may have 1 or 2 digits),
 * optionally followed by a time of day (` 00:00:00`, `T00:00`) which is ignored.
 * Checks that the day exists and the year is >= MIN_YEAR. On success `dates.out` is `YYYY-MM-DD`.
 */
export function parseDate(s: string): boolean {
  let i = 0;
  let j = s.length;
  while (i < j && isSpace(s.charCodeAt(i))) i++;
  while (j > i && isSpace(s.charCodeAt(j - 1))) j--;
  // fast path: canonical ISO, untouched
  if (j - i === 10 && s.charCodeAt(i + 4) === 45 && s.charCodeAt(i + 7) === 45) {
    const y = d4(s, i);
    const m = d2(s, i + 5);
    const d = d2(s, i + 8);
    if (y < MIN_YEAR || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return false;
    dates.out = i === 0 && j === s.length ? s : s.slice(i, j);
    return true;
  }
  // general path: three digit runs separated by the same separator
  let p = i;
  let a = 0, b = 0, c = 0;
  let na = 0, nb = 0, nc = 0;
  let ch = 0;
  while (p < j && (ch = s.charCodeAt(p)) >= 48 && ch <= 57 && na < 5) { a = a * 10 + ch - 48; na++; p++; }
  if (p >= j) return false;
  const sep = s.charCodeAt(p);
  if (sep !== 45 && sep !== 47 && sep !== 46) return false;
  p++;
  while (p < j && (ch = s.charCodeAt(p)) >= 48 && ch <= 57 && nb < 3) { b = b * 10 + ch - 48; nb++; p++; }
  if (p >= j || s.charCodeAt(p) !== sep) return false;
  p++;
  while (p < j && (ch = s.charCodeAt(p)) >= 48 && ch <= 57 && nc < 5) { c = c * 10 + ch - 48; nc++; p++; }
  if (p < j && !isTimeSuffix(s, p, j)) return false;
  let y: number, m: number, d: number;
  if (sep === 45) {
    if (na !== 4 || nb < 1 || nb > 2 || nc < 1 || nc > 2) return false;
    y = a; m = b; d = c;
  } else if (sep === 47) {
    if (na < 1 || na > 2 || nb < 1 || nb > 2 || nc !== 4) return false;
    m = a; d = b; y = c;
  } else {
    if (na < 1 || na > 2 || nb < 1 || nb > 2 || nc !== 4) return false;
    d = a; m = b; y = c;
  }
  if (y < MIN_YEAR || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return false;
  dates.out = y + "-" + pad2(m) + "-" + pad2(d);
  return true;
}

function d4(s: string, i: number): number {
  let v = 0;
  for (let k = i; k < i + 4; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

/** ` HH:MM`, ` HH:MM:SS`, `THH:MM:SS` (with optional fraction of a second). */
function isTimeSuffix(s: string, p: number, j: number): boolean {
  const t = s.charCodeAt(p);
  if (t !== 32 && t !== 84) return false;
  p++;
  if (j - p < 5) return false;
  const hh = d2(s, p);
  const mm = d2(s, p + 3);
  if (hh < 0 || hh > 23 || s.charCodeAt(p + 2) !== 58 || mm < 0 || mm > 59) return false;
  p += 5;
  if (p === j) return true;
  if (j - p < 3 || s.charCodeAt(p) !== 58) return false;
  const ss = d2(s, p + 1);
  if (ss < 0 || ss > 59) return false;
  p += 3;
  if (p === j) return true;
  if (s.charCodeAt(p) !== 46 || p + 1 === j) return false;
  for (p++; p < j; p++) {
    const c = s.charCodeAt(p);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Operator wording for a cell that parseDate() rejected (slow path, only for issues). */
export function describeBadDate(cell: string): string {
  const t = cell.trim();
  const shown = JSON.stringify(t.length > 60 ? t.slice(0, 59) + "…" : t);
  if (t === "" || t === "--") return "date is empty";
  const m = /^(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})(?:[ T].*)?$/.exec(t);
  if (m) {
    const [a, sep, b, c] = [+m[1], m[2], +m[3], +m[4]];
    const [y, mo, d] = sep === "-" ? [a, b, c] : sep === "/" ? [c, a, b] : [c, b, a];
    const yearDigits = sep === "-" ? m[1].length : m[4].length;
    if (yearDigits === 4 && mo >= 1 && mo <= 12 && y < MIN_YEAR) return `date ${shown} is before ${MIN_YEAR}-01-01`;
    if (yearDigits === 4 && (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo))) return `date ${shown} does not exist`;
  }
  return `date ${shown} is not a date in a supported format (YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY)`;
}

/** YYYY-MM-DD of `iso` + `days` (UTC calendar arithmetic). */
export function addDays(iso: string, days: number): string {
  const t = Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Strings

/** True for an empty or whitespace-only cell. */
export function isBlankCell(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (!isSpace(s.charCodeAt(k))) return false;
  return true;
}

/** Trims only when needed (avoids a call and an allocation for the usual clean cell). */
export function trimCell(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  if (!isSpace(s.charCodeAt(0)) && !isSpace(s.charCodeAt(n - 1))) return s;
  return s.trim();
}

/** Empty, whitespace or `--` (Google Ads' "no value"). */
export function isMissing(s: string): boolean {
  if (s.length === 0) return true;
  return isBlankCell(s) || trimCell(s) === "--";
}

/**
 * A platform summary row marker: `Total`, `Totals`, `Total:`, `Total: Account`, `Total: Campaigns`
 * (case-insensitive, surrounding spaces ignored). `Total Wine promo` / `Total-Wine` are not.
 */
export function isSummaryCell(s: string): boolean {
  const n = s.length;
  if (n < 5) return false;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  if (n - i < 5) return false;
  if ((s.charCodeAt(i) | 32) !== 116 /* t */) return false;
  if ((s.charCodeAt(i + 1) | 32) !== 111 || (s.charCodeAt(i + 2) | 32) !== 116 || (s.charCodeAt(i + 3) | 32) !== 97 || (s.charCodeAt(i + 4) | 32) !== 108) return false;
  let p = i + 5;
  if (p < n && (s.charCodeAt(p) | 32) === 115 /* s */) p++;
  while (p < n && isSpace(s.charCodeAt(p))) p++;
  if (p === n) return true;
  return s.charCodeAt(p) === 58 /* : */;
}

/** Three ASCII letters (any case) -> upper-cased code, else null. */
export function currencyCode(s: string): string | null {
  const t = trimCell(s);
  if (t.length !== 3) return null;
  let upper = true;
  for (let k = 0; k < 3; k++) {
    const c = t.charCodeAt(k);
    if (c >= 65 && c <= 90) continue;
    if (c >= 97 && c <= 122) {
      upper = false;
      continue;
    }
    return null;
  }
  return upper ? t : t.toUpperCase();
}
