/**
 * Header aliases per platform (docs/formats.md, "Header aliases per platform").
 *
 * Matching is case-insensitive after trimming. When several columns of a file match the same field,
 * the alias listed FIRST here wins (Meta: `Day` beats `Reporting starts`), whatever the column order.
 *
 * To accept a new header name, add one string to the right list. The token `(XXX)` inside an alias
 * stands for any three-letter currency code in parentheses, e.g. `Amount spent (XXX)` matches
 * `Amount spent (USD)` / `amount spent (eur)`; the code found there becomes the rows' currency when
 * the file has no currency column.
 */

export type Platform = "meta" | "google" | "tiktok";

export const PLATFORMS: readonly Platform[] = ["meta", "google", "tiktok"];

export type CanonicalField = "date" | "campaign_id" | "campaign_name" | "spend" | "impressions" | "clicks" | "conversions" | "currency";

export const REQUIRED_FIELDS = ["date", "campaign_id", "campaign_name", "spend", "impressions", "clicks"] as const;
export const OPTIONAL_FIELDS = ["conversions", "currency"] as const;
export const ALL_FIELDS: readonly CanonicalField[] = [...REQUIRED_FIELDS, ...OPTIONAL_FIELDS];

export const HEADER_ALIASES: Record<Platform, Record<CanonicalField, readonly string[]>> = {
  meta: {
    date: ["Day", "Reporting starts", "Date"],
    campaign_id: ["Campaign ID"],
    campaign_name: ["Campaign name"],
    spend: ["Amount spent (XXX)", "Amount spent"],
    impressions: ["Impressions"],
    clicks: ["Link clicks", "Clicks (all)"],
    conversions: ["Results", "Conversions"],
    currency: ["Currency"],
  },
  google: {
    date: ["Day", "Date"],
    campaign_id: ["Campaign ID"],
    campaign_name: ["Campaign"],
    spend: ["Cost"],
    impressions: ["Impr.", "Impressions"],
    clicks: ["Clicks"],
    conversions: ["Conversions"],
    currency: ["Currency code", "Currency"],
  },
  tiktok: {
    date: ["Date", "By Day", "Stat time day"],
    campaign_id: ["Campaign ID"],
    campaign_name: ["Campaign name", "Campaign Name"],
    spend: ["Cost", "Total cost", "Spend"],
    impressions: ["Impressions", "Impression"],
    clicks: ["Clicks", "Clicks (destination)"],
    conversions: ["Conversions", "Result"],
    currency: ["Currency"],
  },
};

const CURRENCY_TOKEN = "(xxx)";

type CompiledAlias = { kind: "exact"; text: string } | { kind: "currency"; prefix: string; suffix: string };

function compileAlias(alias: string): CompiledAlias {
  const lower = alias.trim().toLowerCase();
  const at = lower.indexOf(CURRENCY_TOKEN);
  if (at === -1) return { kind: "exact", text: lower };
  return { kind: "currency", prefix: lower.slice(0, at) + "(", suffix: ")" + lower.slice(at + CURRENCY_TOKEN.length) };
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Returns null when `header` (already trimmed + lower-cased) does not match; otherwise the currency code found ("" if none). */
function matchAlias(alias: CompiledAlias, header: string): string | null {
  if (alias.kind === "exact") return header === alias.text ? "" : null;
  const { prefix, suffix } = alias;
  if (header.length !== prefix.length + 3 + suffix.length) return null;
  if (!header.startsWith(prefix) || !header.endsWith(suffix)) return null;
  const code = header.slice(prefix.length, prefix.length + 3);
  for (let i = 0; i < 3; i++) if (!isAsciiLetter(code.charCodeAt(i))) return null;
  return code.toUpperCase();
}

const compiled = new Map<Platform, Record<CanonicalField, CompiledAlias[]>>();
function compiledFor(platform: Platform): Record<CanonicalField, CompiledAlias[]> {
  let c = compiled.get(platform);
  if (!c) {
    const table = HEADER_ALIASES[platform];
    if (!table) throw new Error(`unknown platform "${String(platform)}"`);
    c = {} as Record<CanonicalField, CompiledAlias[]>;
    for (const field of ALL_FIELDS) c[field] = table[field].map(compileAlias);
    compiled.set(platform, c);
  }
  return c;
}

export type HeaderMatch = {
  /** Column index per canonical field, -1 when absent. */
  columns: Record<CanonicalField, number>;
  /** Number of canonical fields (required and optional) found. */
  matched: number;
  /** Required fields with no matching column, in canonical order. */
  missing: CanonicalField[];
  /** Currency code taken from the spend header (`Amount spent (USD)`), or null. */
  spendCurrency: string | null;
};

/** Maps a header record onto canonical fields. */
export function matchHeader(platform: Platform, cells: readonly string[]): HeaderMatch {
  const table = compiledFor(platform);
  const normalized = cells.map((c) => c.trim().toLowerCase());
  const columns = {} as Record<CanonicalField, number>;
  let matched = 0;
  let spendCurrency: string | null = null;
  for (const field of ALL_FIELDS) {
    columns[field] = -1;
    // Alias order decides, not column order: the first alias that any column matches wins.
    outer: for (const alias of table[field]) {
      for (let col = 0; col < normalized.length; col++) {
        const code = matchAlias(alias, normalized[col]);
        if (code !== null) {
          columns[field] = col;
          if (field === "spend" && code !== "") spendCurrency = code;
          matched++;
          break outer;
        }
      }
    }
  }
  const missing = REQUIRED_FIELDS.filter((f) => columns[f] === -1);
  return { columns, matched, missing, spendCurrency };
}

/** Human wording of a missing column: `clicks (expected "Link clicks" or "Clicks (all)")`. */
export function describeField(platform: Platform, field: CanonicalField): string {
  const names = HEADER_ALIASES[platform][field].map((a) => `"${a}"`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
  return `${field} (expected ${list})`;
}
