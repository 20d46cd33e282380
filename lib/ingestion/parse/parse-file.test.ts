import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectedCounts, generateCsv, GENERATED_INVALID_RULES } from "@/lib/testing/generate-file";
import { HEADER_ALIASES, matchHeader } from "./aliases";
import {
  INVALID_RULES,
  MAX_RECORD_BYTES,
  parseFile,
  ParseFailure,
  RAW_MAX_CHARS,
  type ParseBatch,
  type ParseOptions,
  type Platform,
  type RowIssue,
  type StagedRow,
} from "./parse-file";
import { decodeStagedRows } from "./copy-binary";

const FIXTURES = path.resolve("lib/testing/fixtures");
const TODAY = "2024-03-05";

// ---------------------------------------------------------------------------------------------
// helpers

type Input = string | Uint8Array;

function bytesOf(input: Input): Uint8Array {
  return typeof input === "string" ? Buffer.from(input, "utf8") : input;
}

/** Feeds `input` in chunks of `size` bytes (0 = one chunk), as fresh copies like a socket would. */
async function* chunks(input: Input, size = 0): AsyncGenerator<Uint8Array> {
  const b = bytesOf(input);
  const copy = (s: number, e: number) => Uint8Array.prototype.slice.call(b, s, e); // Buffer#slice would be a view
  if (size <= 0) {
    yield copy(0, b.length);
    return;
  }
  for (let o = 0; o < b.length; o += size) yield copy(o, o + size);
}

type Result = { rows: StagedRow[]; issues: RowIssue[]; batches: ParseBatch[] };

async function parse(input: Input, options: Partial<ParseOptions> & { platform: Platform }, chunkSize = 0): Promise<Result> {
  const batches: ParseBatch[] = [];
  for await (const batch of parseFile(chunks(input, chunkSize), { defaultCurrency: "USD", today: TODAY, ...options })) batches.push(batch);
  return { rows: batches.flatMap((b) => decodeStagedRows(b.staged)), issues: batches.flatMap((b) => b.issues), batches };
}

async function parseError(
  input: Input,
  options: Partial<ParseOptions> & { platform: Platform },
  chunkSize = 0,
): Promise<{ error: ParseFailure; batches: number }> {
  let batches = 0;
  try {
    for await (const _ of parseFile(chunks(input, chunkSize), { defaultCurrency: "USD", today: TODAY, ...options })) batches++;
  } catch (error) {
    expect(error).toBeInstanceOf(ParseFailure);
    return { error: error as ParseFailure, batches };
  }
  throw new Error("expected a ParseFailure");
}

type Counts = {
  totalRows: number;
  validRows: number;
  invalidRows: number;
  ignoredRows: number;
  invalidByRule: Record<string, number>;
  ignoredByReason: Record<string, number>;
};

function counts(r: Result): Counts {
  const invalidByRule: Record<string, number> = {};
  const ignoredByReason: Record<string, number> = {};
  for (const i of r.issues) {
    const map = i.kind === "invalid" ? invalidByRule : ignoredByReason;
    map[i.rule] = (map[i.rule] ?? 0) + 1;
  }
  const invalidRows = r.issues.filter((i) => i.kind === "invalid").length;
  const ignoredRows = r.issues.length - invalidRows;
  return {
    totalRows: r.batches.reduce((a, b) => a + b.records, 0),
    validRows: r.rows.length,
    invalidRows,
    ignoredRows,
    invalidByRule,
    ignoredByReason,
  };
}

/** The single issue of a one-data-row file. */
async function only(input: string, platform: Platform = "tiktok", extra: Partial<ParseOptions> = {}) {
  const r = await parse(input, { platform, ...extra });
  return { row: r.rows[0] as StagedRow | undefined, issue: r.issues[0] as RowIssue | undefined, r };
}

const TT_HEADER = "Campaign name,Campaign ID,Date,Cost,Impressions,Clicks,Conversions,Currency";
const tt = (...lines: string[]) => [TT_HEADER, ...lines].join("\n") + "\n";

// ---------------------------------------------------------------------------------------------

describe("aliases", () => {
  it("lets the alias listed first win, whatever the column order (Meta: Day beats Reporting starts)", () => {
    const m = matchHeader("meta", [
      "Reporting starts",
      "Reporting ends",
      "Day",
      "Campaign name",
      "Campaign ID",
      "Amount spent (EUR)",
      "Impressions",
      "Clicks (all)",
      "Link clicks",
    ]);
    expect(m.columns.date).toBe(2);
    expect(m.columns.clicks).toBe(8); // Link clicks is listed before Clicks (all)
    expect(m.spendCurrency).toBe("EUR");
    expect(m.missing).toEqual([]);
  });

  it("matches case-insensitively after trimming, and reports what is missing", () => {
    const m = matchHeader("google", ["  CAMPAIGN ", "campaign id", "DAY", "cost", "impr."]);
    expect(m.columns.campaign_name).toBe(0);
    expect(m.columns.impressions).toBe(4);
    expect(m.missing).toEqual(["clicks"]);
  });

  it("treats (XXX) as a currency code pattern only", () => {
    expect(matchHeader("meta", ["Amount spent (US$)"]).columns.spend).toBe(-1);
    expect(matchHeader("meta", ["Amount spent"]).columns.spend).toBe(0);
    expect(matchHeader("meta", ["Amount spent"]).spendCurrency).toBeNull();
  });

  it("has every platform's required fields", () => {
    for (const table of Object.values(HEADER_ALIASES)) {
      for (const field of ["date", "campaign_id", "campaign_name", "spend", "impressions", "clicks"] as const) expect(table[field].length).toBeGreaterThan(0);
    }
  });
});

describe("what real exports contain", () => {
  it("strips a UTF-8 byte-order mark", async () => {
    const text = "\uFEFFCampaign report\n" + tt("A,1,2024-03-01,1,10,1,0,USD").replace(/\n$/, "");
    const r = await parse(text, { platform: "tiktok" });
    expect(r.issues[0]).toMatchObject({ lineNo: 1, rule: "preamble", raw: "Campaign report" });
    expect(r.rows).toHaveLength(1);
    // and a BOM right before the header
    const r2 = await parse("\uFEFF" + tt("A,1,2024-03-01,1,10,1,0,USD"), { platform: "tiktok" });
    expect(r2.rows).toHaveLength(1);
    expect(r2.issues).toHaveLength(0);
  });

  it.each(["utf-16le", "utf-16be"] as const)("decodes %s with a BOM and detects the tab delimiter", async (encoding) => {
    const text =
      "\uFEFFCampaign report\r\nMarch 1, 2024 - March 3, 2024\r\nCampaign\tCampaign ID\tDay\tCost\tImpr.\tClicks\r\nCafé 🚀\t42\t2024-03-01\t1,234.50\t1,000\t7\r\n";
    let bytes = Buffer.from(text, "utf16le");
    if (encoding === "utf-16be") bytes = Buffer.from(bytes).swap16();
    const r = await parse(bytes, { platform: "google" });
    expect(r.rows).toEqual([
      {
        lineNo: 4,
        date: "2024-03-01",
        campaignId: "42",
        campaignName: "Café 🚀",
        spend: "1234.5",
        impressions: "1000",
        clicks: "7",
        conversions: "0",
        currency: "USD",
      },
    ]);
    expect(r.issues.map((i) => i.rule)).toEqual(["preamble", "preamble"]);
    expect(r.issues[0].raw).toBe("Campaign report");
  });

  it("detects comma, tab and semicolon delimiters", async () => {
    for (const d of [",", "\t", ";"]) {
      const text =
        ["Campaign name", "Campaign ID", "Date", "Cost", "Impressions", "Clicks"].join(d) +
        "\n" +
        ["Spring, sale", "1", "2024-03-01", "5", "100", "3"].join(d) +
        "\n";
      const r = await parse(d === "," ? text.replace("Spring, sale", '"Spring, sale"') : text, { platform: "tiktok" });
      expect(r.rows.map((x) => x.campaignName)).toEqual(["Spring, sale"]);
    }
  });

  it("gives the same result for CRLF, LF, CR and a missing final newline", async () => {
    const lines = [TT_HEADER, "A,1,2024-03-01,1,10,1,0,USD", '"multi\nline",2,2024-03-01,1,10,1,0,USD', "", "B,3,2024-03-01,1,10,20,0,USD"];
    const variants = [lines.join("\n") + "\n", lines.join("\n"), lines.join("\r\n") + "\r\n", lines.join("\r\n"), lines.join("\r") + "\r"].map((t) => t);
    const results = await Promise.all(variants.map((v) => parse(v, { platform: "tiktok" })));
    const norm = (r: Result) => ({
      rows: r.rows.map((x) => ({ ...x, campaignName: x.campaignName.replace(/\r\n?/g, "\n") })),
      issues: r.issues.map((i) => ({ ...i, raw: i.raw.replace(/\r\n?/g, "\n") })),
      c: counts(r),
    });
    for (const r of results) expect(norm(r)).toEqual(norm(results[0]));
    expect(counts(results[0])).toMatchObject({ totalRows: 4, validRows: 2, invalidRows: 1, ignoredRows: 1 });
    expect(results[0].rows.map((x) => x.lineNo)).toEqual([2, 3]);
    expect(results[0].issues.map((i) => [i.lineNo, i.rule])).toEqual([
      [5, "blank"],
      [6, "clicks_exceed_impressions"],
    ]);
  });

  it("ignores report title and date-range lines above the header as preamble, one record each", async () => {
    const text = "Campaign performance report\nAll time\n\n" + tt("A,1,2024-03-01,1,10,1,0,USD");
    const r = await parse(text, { platform: "tiktok" });
    expect(r.issues.map((i) => [i.lineNo, i.kind, i.rule])).toEqual([
      [1, "ignored", "preamble"],
      [2, "ignored", "preamble"],
      [3, "ignored", "preamble"],
    ]);
    expect(r.rows[0].lineNo).toBe(5);
    expect(counts(r).totalRows).toBe(4);
  });

  it("ignores Total / Total: … summary rows, but not a campaign named Total Wine promo", async () => {
    const text = tt(
      "Total Wine promo,1,2024-03-01,1,10,1,0,USD",
      "Total,,,,10,1,0,USD",
      "Total: Account,--,--,1,10,1,0,USD",
      "total: campaigns,,,,,,,",
      " TOTALS ,,,,,,,",
      "x,Total,2024-03-01,1,10,1,0,USD",
      "x,1,Total,1,10,1,0,USD",
      "Total-Wine,1,2024-03-02,1,10,1,0,USD",
    );
    const r = await parse(text, { platform: "tiktok" });
    expect(r.rows.map((x) => x.campaignName)).toEqual(["Total Wine promo", "Total-Wine"]);
    expect(r.issues.map((i) => [i.lineNo, i.rule])).toEqual([
      [3, "summary_row"],
      [4, "summary_row"],
      [5, "summary_row"],
      [6, "summary_row"],
      [7, "summary_row"],
      [8, "summary_row"],
    ]);
    expect(r.issues.every((i) => i.kind === "ignored")).toBe(true);
  });

  it("ignores blank lines and records whose fields are all empty", async () => {
    const r = await parse(tt("", "   ", ",,,,,,,", '"",,', "A,1,2024-03-01,1,10,1,0,USD"), { platform: "tiktok" });
    expect(r.issues.map((i) => [i.lineNo, i.kind, i.rule])).toEqual([
      [2, "ignored", "blank"],
      [3, "ignored", "blank"],
      [4, "ignored", "blank"],
      [5, "ignored", "blank"],
    ]);
    expect(r.rows).toHaveLength(1);
  });

  it("reads -- or empty metrics as 0, but -- or empty ids and names are invalid", async () => {
    const r = await parse(
      [
        "Campaign\tCampaign ID\tDay\tCost\tImpr.\tClicks\tConversions",
        "A\t1\t2024-03-01\t--\t--\t--\t--",
        "B\t2\t2024-03-01\t\t\t\t",
        "C\t--\t2024-03-01\t1\t1\t1\t1",
        "D\t\t2024-03-01\t1\t1\t1\t1",
        "--\t5\t2024-03-01\t1\t1\t1\t1",
        "\t6\t2024-03-01\t1\t1\t1\t1",
      ].join("\n"),
      { platform: "google" },
    );
    expect(r.rows.map((x) => [x.spend, x.impressions, x.clicks, x.conversions])).toEqual([
      ["0", "0", "0", "0"],
      ["0", "0", "0", "0"],
    ]);
    expect(r.issues.map((i) => i.rule)).toEqual(["campaign_id_missing", "campaign_id_missing", "campaign_name_missing", "campaign_name_missing"]);
  });

  it("flags a record with the wrong number of fields as field_count", async () => {
    const r = await parse(tt("A,1,2024-03-01,1,10,1,0", "A,1,2024-03-01,1,10,1,0,USD,extra", '"A,1",2024-03-01,1,10,1,0,USD'), { platform: "tiktok" });
    expect(r.issues.map((i) => [i.rule, i.message])).toEqual([
      ["field_count", "expected 8 fields as in the header row but found 7"],
      ["field_count", "expected 8 fields as in the header row but found 9"],
      ["field_count", "expected 8 fields as in the header row but found 7"],
    ]);
  });

  it("fails the whole file with MISSING_COLUMN naming the missing column, before staging anything", async () => {
    const { error, batches } = await parseError("Report\nCampaign name,Campaign ID,Date,Cost,Impressions\nA,1,2024-03-01,1,10\n", { platform: "tiktok" });
    expect(error.code).toBe("MISSING_COLUMN");
    expect(error.missingColumns).toEqual(["clicks"]);
    expect(error.message).toContain("clicks");
    expect(error.message).toContain('"Clicks (destination)"');
    expect(error.message).toContain("line 2");
    expect(batches).toBe(0);
    // a Google file uploaded as Meta: names the Meta columns it lacks
    const other = await parseError(readFileSync(path.join(FIXTURES, "google.csv")), { platform: "meta" });
    expect(other.error.code).toBe("MISSING_COLUMN");
    expect(other.error.missingColumns).toEqual(["campaign_name", "spend", "impressions", "clicks"]);
  });

  it("fails with EMPTY_FILE when the file is empty or only blank lines", async () => {
    for (const input of ["", "\uFEFF", "\n\n\r\n", "  \n\t\n", ",,,\n"]) {
      const { error, batches } = await parseError(input, { platform: "meta" });
      expect(error.code, JSON.stringify(input)).toBe("EMPTY_FILE");
      expect(batches).toBe(0);
    }
  });

  it("counts the records of a file with a header but no data rows, for the caller's EMPTY_FILE (valid + invalid = 0)", async () => {
    expect((await parse(TT_HEADER + "\n", { platform: "tiktok" })).batches).toEqual([]);
    const r = await parse("Report\n" + tt("", "Total,,,,,,,"), { platform: "tiktok" });
    expect(counts(r)).toEqual({
      totalRows: 3,
      validRows: 0,
      invalidRows: 0,
      ignoredRows: 3,
      invalidByRule: {},
      ignoredByReason: { preamble: 1, blank: 1, summary_row: 1 },
    });
    // an invalid data row is a data row
    expect(counts(await parse(tt("A,1,2024-13-01,1,10,1,0,USD"), { platform: "tiktok" }))).toMatchObject({ totalRows: 1, invalidRows: 1 });
  });

  it("reports each failing rule by name, first failing rule only, with an operator-readable message", async () => {
    const cases: Array<[string, string, string | RegExp]> = [
      ["A,1,2024-02-30,1,10,1,0,USD", "date_invalid", 'date "2024-02-30" does not exist'],
      ["A,1,yesterday,1,10,1,0,USD", "date_invalid", /not a date in a supported format/],
      ["A,1,2023-02-29,1,10,1,0,USD", "date_invalid", /does not exist/],
      ["A,1,1999-12-31,1,10,1,0,USD", "date_invalid", /before 2000-01-01/],
      ["A,1,2024-03-07,1,10,1,0,USD", "date_in_future", "date 2024-03-07 is in the future (the latest accepted date is 2024-03-06)"],
      ["A,,2024-03-01,1,10,1,0,USD", "campaign_id_missing", "campaign ID is empty"],
      [",1,2024-03-01,1,10,1,0,USD", "campaign_name_missing", "campaign name is empty"],
      ["A,1,2024-03-01,abc,10,1,0,USD", "spend_invalid", 'spend "abc" is not a number'],
      ["A,1,2024-03-01,1.1234567,10,1,0,USD", "spend_invalid", 'spend "1.1234567" has more than 6 decimal places'],
      ["A,1,2024-03-01,1e5,10,1,0,USD", "spend_invalid", /not a number/],
      ['A,1,2024-03-01,"1,23",10,1,0,USD', "spend_invalid", /not a number/],
      ["A,1,2024-03-01,123456789012345,10,1,0,USD", "spend_invalid", /too large/],
      ["A,1,2024-03-01,-5.50,10,1,0,USD", "spend_negative", "spend (-5.5) is negative"],
      ["A,1,2024-03-01,1,ten,1,0,USD", "impressions_invalid", 'impressions "ten" is not a number'],
      ["A,1,2024-03-01,1,10.5,1,0,USD", "impressions_invalid", 'impressions "10.5" is not a whole number'],
      ["A,1,2024-03-01,1,-10,1,0,USD", "impressions_invalid", "impressions (-10) is negative"],
      ["A,1,2024-03-01,1,10,x,0,USD", "clicks_invalid", 'clicks "x" is not a number'],
      ["A,1,2024-03-01,1,100,120,0,USD", "clicks_exceed_impressions", "clicks (120) exceed impressions (100)"],
      ['A,1,2024-03-01,1,"1,000",999,0,USD', "", ""],
      ['A,1,2024-03-01,1,999,"1,000",0,USD', "clicks_exceed_impressions", "clicks (1000) exceed impressions (999)"],
      ["A,1,2024-03-01,1,10,1,-1,USD", "conversions_invalid", "conversions (-1) is negative"],
      ["A,1,2024-03-01,1,10,1,lots,USD", "conversions_invalid", 'conversions "lots" is not a number'],
      ["A,1,2024-03-01,1,10,1,0,US Dollar", "currency_invalid", 'currency "US Dollar" is not a 3-letter ISO 4217 code'],
      ["A,1,2024-03-01,1,10,1,0,€", "currency_invalid", /not a 3-letter/],
      // the first failing rule wins
      ["A,,2024-99-01,-1,x,y,z,?", "date_invalid", /does not exist/],
      ["A,,2024-03-01,-1,x,y,z,?", "campaign_id_missing", /empty/],
      ["A,1,2024-03-01,-1,x,y,z,?", "spend_negative", /negative/],
    ];
    for (const [line, rule, message] of cases) {
      const { row, issue } = await only(tt(line));
      if (rule === "") {
        expect(issue, line).toBeUndefined();
        expect(row, line).toBeDefined();
        continue;
      }
      expect(issue?.rule, line).toBe(rule);
      expect(issue?.kind, line).toBe("invalid");
      if (typeof message === "string") expect(issue?.message, line).toBe(message);
      else expect(issue?.message, line).toMatch(message);
      expect(issue?.raw, line).toBe(line);
      expect(INVALID_RULES as readonly string[]).toContain(rule);
    }
  });

  it("keeps spreadsheet formulas as literal text", async () => {
    const r = await parse(
      tt(
        '"=HYPERLINK(""http://evil.example"",""x"")",1,2024-03-01,1,10,1,0,USD',
        "+SUM(A1:A9),2,2024-03-01,1,10,1,0,USD",
        "-2+3,3,2024-03-01,1,10,1,0,USD",
        "@cmd,=1+1,2024-03-01,1,10,1,0,USD",
      ),
      { platform: "tiktok" },
    );
    expect(r.rows.map((x) => [x.campaignName, x.campaignId])).toEqual([
      ['=HYPERLINK("http://evil.example","x")', "1"],
      ["+SUM(A1:A9)", "2"],
      ["-2+3", "3"],
      ["@cmd", "=1+1"],
    ]);
  });

  it("refuses NUL bytes without a UTF-16 BOM as BAD_ENCODING", async () => {
    const utf16NoBom = Buffer.from(tt("A,1,2024-03-01,1,10,1,0,USD"), "utf16le");
    expect((await parseError(utf16NoBom, { platform: "tiktok" })).error.code).toBe("BAD_ENCODING");
    const late = Buffer.concat([Buffer.from(tt("A,1,2024-03-01,1,10,1,0,USD")), Buffer.from([0x41, 0x00, 0x42, 0x0a])]);
    expect((await parseError(late, { platform: "tiktok" }, 7)).error.code).toBe("BAD_ENCODING");
  });

  it("decodes invalid UTF-8 with replacement characters instead of failing", async () => {
    const bytes = Buffer.concat([Buffer.from(TT_HEADER + "\nCaf"), Buffer.from([0xe9]), Buffer.from(",1,2024-03-01,1,10,1,0,USD\n")]);
    const r = await parse(bytes, { platform: "tiktok" });
    expect(r.rows[0].campaignName).toBe("Caf\uFFFD");
  });
});

describe("values", () => {
  it("normalizes numbers: separators, leading and trailing zeros", async () => {
    const r = await parse(
      tt(
        'A,1,2024-03-01,"1,234,567.50","12,345,678",0012,"1,000.000",usd',
        "B,2,2024-03-01,.5,0,0,3.25,",
        'C,3,2024-03-01,0.000001,"9,007,199,254,740,993",1,1.5000000,EUR',
        "D,4,2024-03-01,-0,10,1,0,EUR",
      ),
      { platform: "tiktok" },
    );
    expect(r.issues).toEqual([]);
    expect(r.rows.map((x) => [x.spend, x.impressions, x.clicks, x.conversions, x.currency])).toEqual([
      ["1234567.5", "12345678", "12", "1000", "USD"],
      ["0.5", "0", "0", "3.25", "USD"],
      ["0.000001", "9007199254740993", "1", "1.5", "EUR"],
      ["0", "10", "1", "0", "EUR"],
    ]);
  });

  it("accepts ISO, MM/DD/YYYY and DD.MM.YYYY dates (and a time of day), up to tomorrow", async () => {
    const r = await parse(
      tt(
        "A,1,2024-03-01,1,1,1,0,USD",
        "A,2,3/7/2024,1,1,1,0,USD",
        "A,3,12/31/2023,1,1,1,0,USD",
        "A,4,31.12.2023,1,1,1,0,USD",
        "A,5,2024-02-29 00:00:00,1,1,1,0,USD",
        "A,6,2024-03-06T23:59:59,1,1,1,0,USD",
        "A,7, 2024-03-06 ,1,1,1,0,USD",
      ),
      { platform: "tiktok", today: "2024-03-05" },
    );
    expect(r.issues.map((i) => i.message)).toEqual(["date 2024-03-07 is in the future (the latest accepted date is 2024-03-06)"]);
    expect(r.rows.map((x) => x.date)).toEqual(["2024-03-01", "2023-12-31", "2023-12-31", "2024-02-29", "2024-03-06", "2024-03-06"]);
  });

  it("takes the currency from the column, else the spend header, else the workspace default", async () => {
    const meta = "Day,Campaign name,Campaign ID,Amount spent (eur),Impressions,Link clicks\n2024-03-01,A,1,1,10,1\n";
    expect((await parse(meta, { platform: "meta", defaultCurrency: "GBP" })).rows[0].currency).toBe("EUR");
    const plain = "Day,Campaign name,Campaign ID,Amount spent,Impressions,Link clicks,Currency\n2024-03-01,A,1,1,10,1,\n2024-03-01,B,2,1,10,1,jpy\n";
    expect((await parse(plain, { platform: "meta", defaultCurrency: "gbp" })).rows.map((x) => x.currency)).toEqual(["GBP", "JPY"]);
  });

  it("uses Day, not Reporting starts, for Meta's date", async () => {
    const meta =
      "Reporting starts,Reporting ends,Day,Campaign name,Campaign ID,Amount spent (USD),Impressions,Link clicks\n2024-03-01,2024-03-03,2024-03-02,A,1,1,10,1\n";
    expect((await parse(meta, { platform: "meta" })).rows[0].date).toBe("2024-03-02");
  });

  it("keeps quoted commas, quotes, line breaks and emoji in campaign names, and trims ids and names", async () => {
    const r = await parse(tt('"Summer, ""Best"" Deals\r\n🌞 2024", 77 ,2024-03-01,1,10,1,0,USD', "  padded name  ,8,2024-03-01,1,10,1,0,USD"), {
      platform: "tiktok",
    });
    expect(r.rows.map((x) => [x.lineNo, x.campaignName, x.campaignId])).toEqual([
      [2, 'Summer, "Best" Deals\r\n🌞 2024', "77"],
      [4, "padded name", "8"],
    ]);
  });

  it("caps raw at 2000 characters", async () => {
    const long = "x".repeat(5000);
    const { issue } = await only(tt(`${long},1,2024-03-01,1,10,1`));
    expect(issue?.rule).toBe("field_count");
    expect(issue?.raw).toHaveLength(RAW_MAX_CHARS);
    expect(issue?.raw).toBe(`${long},1,2024-03-01,1,10,1`.slice(0, RAW_MAX_CHARS));
  });
});

describe("fixtures", () => {
  const expected = JSON.parse(readFileSync(path.join(FIXTURES, "expected.json"), "utf8")) as Record<string, Counts & { platform: Platform }>;

  it("has an expectation for each fixture", () => {
    expect(Object.keys(expected).sort()).toEqual(["google.csv", "meta.csv", "tiktok.csv"]);
  });

  for (const [file, exp] of Object.entries(expected)) {
    it(`${file}: exact counts, identical for 1-byte, 7-byte and whole chunks`, async () => {
      const bytes = readFileSync(path.join(FIXTURES, file));
      const whole = await parse(bytes, { platform: exp.platform });
      const c = counts(whole);
      expect(c).toEqual({
        totalRows: exp.totalRows,
        validRows: exp.validRows,
        invalidRows: exp.invalidRows,
        ignoredRows: exp.ignoredRows,
        invalidByRule: exp.invalidByRule,
        ignoredByReason: exp.ignoredByReason,
      });
      expect(c.totalRows).toBe(c.validRows + c.invalidRows + c.ignoredRows);
      for (const size of [1, 7]) {
        const r = await parse(bytes, { platform: exp.platform }, size);
        expect(r.rows).toEqual(whole.rows);
        expect(r.issues).toEqual(whole.issues);
      }
    });
  }

  it("meta.csv: the tricky cells come out right", async () => {
    const r = await parse(readFileSync(path.join(FIXTURES, "meta.csv")), { platform: "meta" });
    expect(r.rows.find((x) => x.lineNo === 4)).toEqual({
      lineNo: 4,
      date: "2024-03-01",
      campaignId: "120210000000000002",
      campaignName: 'Summer, "Best" Deals\n🌞 2024',
      spend: "1234.56",
      impressions: "45678",
      clicks: "1203",
      conversions: "34",
      currency: "USD",
    });
    expect(r.rows.find((x) => x.lineNo === 6)?.campaignName).toBe('=HYPERLINK("https://example.com","Click")');
    expect(r.rows.find((x) => x.lineNo === 7)?.campaignName).toBe("Total Wine promo");
    expect(r.rows.map((x) => x.date)).toEqual(["2024-03-01", "2024-03-02", "2024-03-01", "2024-03-01", "2024-03-01", "2024-03-02", "2024-03-03"]);
  });

  it("google.csv: -- cells, thousands separators and the currency column", async () => {
    const r = await parse(readFileSync(path.join(FIXTURES, "google.csv")), { platform: "google", defaultCurrency: "GBP" });
    expect(r.rows.map((x) => [x.lineNo, x.spend, x.impressions, x.conversions, x.currency])).toEqual([
      [4, "1234.56", "10234", "12.5", "USD"],
      [5, "987", "9876", "0", "USD"],
      [6, "0", "0", "0", "USD"],
      [8, "45.6", "1200", "1.5", "EUR"],
      [9, "5", "500", "0", "USD"],
    ]);
  });
});

describe("streaming", () => {
  const tricky = [
    "Report title, with comma",
    '"Date range ""quoted"""',
    TT_HEADER,
    '"Ünïcødé 🎉, ""quoted""\r\nsecond line\rthird line",1,2024-03-01,"1,234.56",1000,10,2.5,EUR',
    "",
    "plain,2,2024-03-02,1,10,1,0,USD",
    '"x"trailing,3,2024-03-03,1,10,1,0,USD',
    '"""",4,2024-03-04,1,10,1,0,USD',
    "bad,5,2024-03-05,1,10,100,0,USD",
    'last 🌞,6,2024-03-01,"2",3,"1",,',
  ].join("\r\n");

  it.each([1, 2, 3, 7, 64, 0])("gives identical output with %i-byte chunks (0 = whole)", async (size) => {
    const whole = await parse(tricky, { platform: "tiktok" });
    const r = await parse(tricky, { platform: "tiktok" }, size);
    expect(r.rows).toEqual(whole.rows);
    expect(r.issues).toEqual(whole.issues);
    expect(whole.rows.map((x) => [x.lineNo, x.campaignName])).toEqual([
      [4, 'Ünïcødé 🎉, "quoted"\r\nsecond line\rthird line'],
      [8, "plain"],
      [9, "xtrailing"],
      [10, '"'],
      [12, "last 🌞"],
    ]);
    expect(whole.issues.map((i) => [i.lineNo, i.rule])).toEqual([
      [1, "preamble"],
      [2, "preamble"],
      [7, "blank"],
      [11, "clicks_exceed_impressions"],
    ]);
  });

  it("gives identical output for UTF-16 in odd-sized chunks", async () => {
    const tsv = tricky.replaceAll(",", "\t").replace('"1\t234.56"', '"1,234.56"');
    const bytes = Buffer.from("\uFEFF" + tsv, "utf16le");
    const whole = await parse(bytes, { platform: "tiktok" });
    expect(whole.rows).toHaveLength(5);
    for (const size of [1, 3, 7]) {
      const r = await parse(bytes, { platform: "tiktok" }, size);
      expect(r.rows).toEqual(whole.rows);
      expect(r.issues).toEqual(whole.issues);
    }
  });

  it("names a repeated (date, campaign ID) in the batch that repeats it, for the worker's duplicate search", async () => {
    const r = await parse(
      tt(
        "A,1,2024-03-01,1,10,1,0,USD",
        "B,2,2024-03-01,1,10,1,0,USD",
        "A,1,2024-03-02,1,10,1,0,USD",
        " A again , 1 ,2024-03-01,2,20,2,0,USD",
        "C,3,2024-03-01,1,10,1,0,USD",
      ),
      { platform: "tiktok", batchSize: 2 },
    );
    expect(r.batches.map((b) => b.suspectKeys)).toEqual([[], [{ date: "2024-03-01", campaignId: "1" }], []]);
  });

  it("gives each batch the date span of its valid rows, for promotion to find overlapping metrics", async () => {
    const r = await parse(
      tt(
        "A,1,2024-03-05,1,10,1,0,USD",
        "B,2,2024-03-01,1,10,1,0,USD",
        "C,3,2024-99-01,1,10,1,0,USD",
        "D,4,2024-02-09,1,10,1,0,USD",
        "E,5,2024-13-01,1,10,1,0,USD",
      ),
      { platform: "tiktok", batchSize: 3 },
    );
    expect(r.batches.map((b) => [b.firstDate, b.lastDate])).toEqual([
      ["2024-03-01", "2024-03-05"],
      ["2024-02-09", "2024-02-09"],
    ]);
    const none = await parse(tt("E,5,2024-13-01,1,10,1,0,USD"), { platform: "tiktok" });
    expect(none.batches.map((b) => [b.firstDate, b.lastDate])).toEqual([[null, null]]);
  });

  it("emits batches of batchSize records, each counting its rows and issues", async () => {
    const r = await parse(tricky, { platform: "tiktok", batchSize: 3 });
    expect(r.batches.map((b) => b.records)).toEqual([3, 3, 3]);
    for (const b of r.batches) expect(b.records).toBe(decodeStagedRows(b.staged).length + b.issues.length);
  });

  it("resumes with skipRecords: exactly the remaining records, for every resume point", async () => {
    const full = await parse(tricky, { platform: "tiktok", batchSize: 2 });
    const all = [...full.rows.map((x) => ({ lineNo: x.lineNo, row: x as unknown })), ...full.issues.map((i) => ({ lineNo: i.lineNo, row: i as unknown }))].sort(
      (a, b) => a.lineNo - b.lineNo,
    );
    expect(all).toHaveLength(9);
    for (let skip = 0; skip <= all.length + 1; skip++) {
      for (const size of [0, 5]) {
        const r = await parse(tricky, { platform: "tiktok", batchSize: 2, skipRecords: skip }, size);
        const got = [...r.rows, ...r.issues].sort((a, b) => a.lineNo - b.lineNo);
        expect(got, `skip ${skip}`).toEqual(all.slice(skip).map((x) => x.row));
        expect(r.batches.reduce((a, b) => a + b.records, 0)).toBe(Math.max(0, all.length - skip));
      }
    }
  });

  it("resuming from each batch boundary reproduces the rest of the run exactly (generated file)", async () => {
    const options = { platform: "google" as const, rows: 2_500, seed: 7, invalidEvery: 9, campaigns: 40 };
    const collect = async (skipRecords: number) => {
      const out: ParseBatch[] = [];
      for await (const b of parseFile(generateCsv(options), { platform: "google", defaultCurrency: "USD", today: "2030-01-01", batchSize: 1000, skipRecords }))
        out.push(b);
      return out;
    };
    const full = await collect(0);
    expect(full.map((b) => b.records)).toEqual([1000, 1000, 504]);
    const resumed = await collect(1000);
    expect(resumed).toEqual(full.slice(1));
  });

  it("skips an unclosed quote that swallows the rest of the file as one record_too_long record", async () => {
    const filler = "a,b,c,d,e,f,g,h\n".repeat(Math.ceil((MAX_RECORD_BYTES + 500_000) / 16));
    const text = tt("A,1,2024-03-01,1,10,1,0,USD", '"never closed,2,2024-03-01,1,10,1,0,USD') + filler;
    const results: Result[] = [];
    for (const size of [65_536, 1000, 0]) {
      const r = await parse(text, { platform: "tiktok" }, size);
      results.push(r);
      expect(counts(r)).toMatchObject({ totalRows: 2, validRows: 1, invalidRows: 1 });
      expect(r.issues[0]).toMatchObject({ lineNo: 3, rule: "record_too_long" });
      expect(r.issues[0].raw.startsWith('"never closed,2')).toBe(true);
      expect(r.issues[0].raw.length).toBeLessThanOrEqual(RAW_MAX_CHARS);
    }
    expect(results[0].issues).toEqual(results[2].issues);
    expect(results[1].issues).toEqual(results[2].issues);
    // its own line, the filler lines, and the empty line after the final newline (inside the quote)
    expect(results[2].issues[0].message).toContain(`spans ${filler.length / 16 + 2} lines`);
  });
});

describe("generated files", () => {
  it("total = valid + invalid + ignored on a generated 100k-row file, with the counts expectedCounts() promises", async () => {
    for (const platform of ["meta", "google", "tiktok"] as const) {
      const options = { platform, rows: platform === "meta" ? 100_000 : 20_000, seed: 3, invalidEvery: 97 };
      const c: Counts = { totalRows: 0, validRows: 0, invalidRows: 0, ignoredRows: 0, invalidByRule: {}, ignoredByReason: {} };
      const keys = new Set<string>();
      let batches = 0;
      const allSuspects: ParseBatch["suspectKeys"][] = [];
      for await (const b of parseFile(generateCsv(options), { platform, defaultCurrency: "USD", today: "2030-01-01" })) {
        batches++;
        if (b.suspectKeys.length) allSuspects.push(b.suspectKeys);
        c.totalRows += b.records;
        c.validRows += b.validRows;
        for (const row of decodeStagedRows(b.staged)) keys.add(`${row.date}|${row.campaignId}`);
        for (const i of b.issues) {
          if (i.kind === "invalid") c.invalidRows++;
          else c.ignoredRows++;
          const map = i.kind === "invalid" ? c.invalidByRule : c.ignoredByReason;
          map[i.rule] = (map[i.rule] ?? 0) + 1;
        }
      }
      expect(c.totalRows, platform).toBe(c.validRows + c.invalidRows + c.ignoredRows);
      expect(c, platform).toEqual(expectedCounts(options));
      expect(keys.size, `${platform}: (date, campaign_id) unique`).toBe(c.validRows);
      expect(allSuspects, `${platform}: the key filter proves it`).toEqual([]);
      expect(batches).toBe(Math.ceil(c.totalRows / 10_000));
    }
    expect(Object.keys(expectedCounts({ platform: "meta", rows: 100_000, invalidEvery: 97 }).invalidByRule).sort()).toEqual(
      [...GENERATED_INVALID_RULES].sort(),
    );
  });

  it("is deterministic for a seed and differs across seeds", async () => {
    const read = async (seed: number) => Buffer.concat(await generateCsv({ platform: "tiktok", rows: 3000, seed }).toArray());
    const [a, b, c] = await Promise.all([read(1), read(1), read(2)]);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(a.subarray(-2).toString()).not.toContain("\n"); // TikTok: no final newline
  });
});
