/**
 * Cell validators for the hot path. They work on UTF-8 byte ranges b[i, j) (all the syntax they
 * accept is ASCII), use plain loops (no regex), and allocate nothing on the common path: each
 * returns a status and leaves its normalized value in a module-level slot (`num.out`,
 * `dates.out`), reusing cached strings where values repeat (small integers, the current date,
 * currency codes).
 */

import { asciiString } from "./csv-scanner";

// ---------------------------------------------------------------------------------------------
// Numbers

export const NUM_OK = 0;
export const NUM_INVALID = 1; // not a number
export const NUM_NEGATIVE = 2; // a valid number below zero (num.out holds "-<value>")
export const NUM_TOO_MANY_DECIMALS = 3;
export const NUM_NOT_INTEGER = 4;
export const NUM_TOO_LARGE = 5;

export const num = { out: "" };

/** ASCII whitespace and control characters. */
export function isSpace(c: number): boolean {
  return c <= 32;
}

const SMALL_INTS: string[] = [];
for (let n = 0; n < 10_000; n++) SMALL_INTS.push(String(n));

/**
 * Parses a metric cell b[i, j). Empty and `--` mean 0. Accepts an optional leading `-` (reported
 * as NUM_NEGATIVE unless the value is zero), thousands separators with proper 3-digit groups
 * (`1,234,567.5`), and a fraction. Trailing zeros of the fraction are not significant
 * (`1.5000000` is 1.5). Normalized output: no separators, no leading zeros, no trailing
 * fractional zeros (`0012.3400` -> `12.34`, `1,000` -> `1000`, `.5` -> `0.5`).
 *
 * @param maxDecimals significant decimals allowed (0 = integer column)
 * @param maxIntDigits digits allowed before the decimal point (database column limits)
 */
export function parseNumber(b: Uint8Array, i: number, j: number, maxDecimals: number, maxIntDigits: number): number {
  while (i < j && b[i] <= 32) i++;
  while (j > i && b[j - 1] <= 32) j--;
  if (i === j || (j - i === 2 && b[i] === 45 && b[i + 1] === 45)) {
    num.out = "0";
    return NUM_OK;
  }
  let neg = false;
  if (b[i] === 45) {
    neg = true;
    i++;
  }
  // integer part with optional thousands separators
  const intStart = i;
  let digits = 0;
  let group = 0;
  let commas = 0;
  let value = 0; // exact while digits <= 15
  let c = 0;
  let p = i;
  for (; p < j; p++) {
    c = b[p];
    if (c >= 48 && c <= 57) {
      digits++;
      group++;
      value = value * 10 + (c - 48);
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
      c = b[p];
      if (c < 48 || c > 57) return NUM_INVALID;
    }
    fracEnd = p;
    if (digits === 0 && fracEnd === fracStart) return NUM_INVALID; // "." or "-."
  } else if (digits === 0) return NUM_INVALID; // "-"

  // drop insignificant zeros of the fraction
  let fe = fracEnd;
  while (fe > fracStart && b[fe - 1] === 48) fe--;
  const decimals = fe - fracStart;
  if (decimals > maxDecimals) return maxDecimals === 0 ? NUM_NOT_INTEGER : NUM_TOO_MANY_DECIMALS;

  let lead = intStart;
  if (value >= 10_000) {
    while (lead < intEnd && (b[lead] === 48 || b[lead] === 44)) lead++;
    if (intEnd - lead - commas > maxIntDigits) return NUM_TOO_LARGE;
  }
  let out: string;
  if (decimals === 0) {
    out = intString(b, lead, intEnd, value, digits, commas);
  } else if (commas === 0 && fe === fracEnd && intEnd > intStart && (b[intStart] !== 48 || intEnd - intStart === 1)) {
    out = asciiString(b, intStart, fe); // already normal ("1234.56", "0.5"): one slice
  } else {
    out = intString(b, lead, intEnd, value, digits, commas) + "." + asciiString(b, fracStart, fe);
  }
  if (neg && out !== "0") {
    num.out = "-" + out;
    return NUM_NEGATIVE;
  }
  num.out = out;
  return NUM_OK;
}

/** The normalized integer part b[lead, intEnd) (leading zeros skipped), whose value is `value`. */
function intString(b: Uint8Array, lead: number, intEnd: number, value: number, digits: number, commas: number): string {
  if (value < 10_000) return SMALL_INTS[value];
  if (commas === 0) return asciiString(b, lead, intEnd);
  if (digits <= 15) return String(value); // exact below 2^53
  return asciiString(b, lead, intEnd).replaceAll(",", "");
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

function digit(b: Uint8Array, k: number): number {
  const c = b[k] - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}

/**
 * Parses b[i, j) as `YYYY-MM-DD`, `MM/DD/YYYY` or `DD.MM.YYYY` (month and day may have 1 or 2
 * digits), optionally followed by a time of day (` 00:00:00`, `T00:00`) which is ignored.
 * Checks that the day exists and the year is >= MIN_YEAR. On success `dates.out` is `YYYY-MM-DD`.
 */
export function parseDate(b: Uint8Array, i: number, j: number): boolean {
  while (i < j && b[i] <= 32) i++;
  while (j > i && b[j - 1] <= 32) j--;
  if (j - i === 10 && b[i + 4] === 45 && b[i + 7] === 45) {
    // fast path: canonical ISO
    const y = digit(b, i) * 1000 + digit(b, i + 1) * 100 + digit(b, i + 2) * 10 + digit(b, i + 3);
    const m = digit(b, i + 5) * 10 + digit(b, i + 6);
    const d = digit(b, i + 8) * 10 + digit(b, i + 9);
    if (y < MIN_YEAR || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return false;
    // consecutive rows usually share the date: reuse the string
    const prev = dates.out;
    if (
      prev.length !== 10 ||
      prev.charCodeAt(9) !== b[i + 9] ||
      prev.charCodeAt(8) !== b[i + 8] ||
      prev.charCodeAt(6) !== b[i + 6] ||
      prev.charCodeAt(5) !== b[i + 5] ||
      prev.charCodeAt(3) !== b[i + 3] ||
      prev.charCodeAt(2) !== b[i + 2] ||
      prev.charCodeAt(1) !== b[i + 1] ||
      prev.charCodeAt(0) !== b[i]
    ) {
      dates.out = asciiString(b, i, j);
      lastKey = 0;
    }
    return true;
  }
  // general path: three digit runs separated by the same separator
  let p = i;
  let a = 0,
    bb = 0,
    c = 0;
  let na = 0,
    nb = 0,
    nc = 0;
  let ch = 0;
  while (p < j && (ch = b[p]) >= 48 && ch <= 57 && na < 5) {
    a = a * 10 + ch - 48;
    na++;
    p++;
  }
  if (p >= j) return false;
  const sep = b[p];
  if (sep !== 45 && sep !== 47 && sep !== 46) return false;
  p++;
  while (p < j && (ch = b[p]) >= 48 && ch <= 57 && nb < 3) {
    bb = bb * 10 + ch - 48;
    nb++;
    p++;
  }
  if (p >= j || b[p] !== sep) return false;
  p++;
  while (p < j && (ch = b[p]) >= 48 && ch <= 57 && nc < 5) {
    c = c * 10 + ch - 48;
    nc++;
    p++;
  }
  if (p < j && !isTimeSuffix(b, p, j)) return false;
  let y: number, m: number, d: number;
  if (sep === 45) {
    if (na !== 4 || nb < 1 || nb > 2 || nc < 1 || nc > 2) return false;
    y = a;
    m = bb;
    d = c;
  } else if (sep === 47) {
    if (na < 1 || na > 2 || nb < 1 || nb > 2 || nc !== 4) return false;
    m = a;
    d = bb;
    y = c;
  } else {
    if (na < 1 || na > 2 || nb < 1 || nb > 2 || nc !== 4) return false;
    d = a;
    m = bb;
    y = c;
  }
  if (y < MIN_YEAR || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return false;
  const key = y * 10_000 + m * 100 + d;
  if (key !== lastKey || dates.out.length !== 10) {
    dates.out = y + "-" + pad2(m) + "-" + pad2(d);
    lastKey = key;
  }
  return true;
}

/** y*10000+m*100+d of the date last built by the general path (consecutive rows share dates). */
let lastKey = 0;

/** ` HH:MM`, ` HH:MM:SS`, `THH:MM:SS` (with an optional fraction of a second). */
function isTimeSuffix(b: Uint8Array, p: number, j: number): boolean {
  const t = b[p];
  if (t !== 32 && t !== 84) return false;
  p++;
  if (j - p < 5) return false;
  const hh = digit(b, p) * 10 + digit(b, p + 1);
  const mm = digit(b, p + 3) * 10 + digit(b, p + 4);
  if (hh < 0 || hh > 23 || b[p + 2] !== 58 || mm < 0 || mm > 59) return false;
  p += 5;
  if (p === j) return true;
  if (j - p < 3 || b[p] !== 58) return false;
  const ss = digit(b, p + 1) * 10 + digit(b, p + 2);
  if (ss < 0 || ss > 59) return false;
  p += 3;
  if (p === j) return true;
  if (b[p] !== 46 || p + 1 === j) return false;
  for (p++; p < j; p++) if (b[p] < 48 || b[p] > 57) return false;
  return true;
}

/** Actor wording for a cell that parseDate() rejected (slow path, only for issues). */
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
// Text ranges

/** True for an empty or whitespace-only range. */
export function isBlankRange(b: Uint8Array, i: number, j: number): boolean {
  for (let k = i; k < j; k++) if (b[k] > 32) return false;
  return true;
}

/** First non-space offset of b[i, j). */
export function trimStart(b: Uint8Array, i: number, j: number): number {
  while (i < j && b[i] <= 32) i++;
  return i;
}

/** End of b[i, j) without trailing spaces. */
export function trimEnd(b: Uint8Array, i: number, j: number): number {
  while (j > i && b[j - 1] <= 32) j--;
  return j;
}

/** An already trimmed range that is empty or `--` (Google Ads' "no value"). */
export function isMissingTrimmed(b: Uint8Array, i: number, j: number): boolean {
  return i === j || (j - i === 2 && b[i] === 45 && b[i + 1] === 45);
}

/**
 * A platform summary row marker: `Total`, `Totals`, `Total:`, `Total: Account`, `Total: Campaigns`
 * (case-insensitive, surrounding spaces ignored). `Total Wine promo` / `Total-Wine` are not.
 */
export function isSummaryRange(b: Uint8Array, i: number, j: number): boolean {
  if (j - i < 5) return false;
  while (i < j && b[i] <= 32) i++;
  if (j - i < 5) return false;
  if ((b[i] | 32) !== 116 /* t */ || (b[i + 1] | 32) !== 111 || (b[i + 2] | 32) !== 116 || (b[i + 3] | 32) !== 97 || (b[i + 4] | 32) !== 108) return false;
  let p = i + 5;
  if (p < j && (b[p] | 32) === 115 /* s */) p++;
  while (p < j && b[p] <= 32) p++;
  return p === j || b[p] === 58; /* : */
}

const CURRENCY_CACHE = new Map<number, string>();

/** Three ASCII letters (any case, surrounding spaces ignored) -> upper-cased code, else null. */
export function currencyCode(b: Uint8Array, i: number, j: number): string | null {
  i = trimStart(b, i, j);
  j = trimEnd(b, i, j);
  if (j - i !== 3) return null;
  let key = 0;
  for (let k = i; k < j; k++) {
    const c = b[k] & ~32; // upper-cases ASCII letters
    if (c < 65 || c > 90) return null;
    key = key * 32 + (c - 64);
  }
  // a handful of codes per file: reuse the strings instead of allocating one per row
  let code = CURRENCY_CACHE.get(key);
  if (code === undefined) {
    code = asciiString(b, i, j).toUpperCase();
    CURRENCY_CACHE.set(key, code); // at most 26^3 entries
  }
  return code;
}
