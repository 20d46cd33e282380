import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { describe, expect, it } from "vitest";
import { pool } from "@/lib/testing/db";
import { CopyBinaryWriter, decodeStagedRows, recycleStaged, STAGING_COPY_COLUMNS, uuidBytes, type StagedRow } from "./copy-binary";

const ROW: StagedRow = {
  lineNo: 7,
  date: "2024-03-01",
  campaignId: "c-1",
  campaignName: "x",
  spend: "1.5",
  impressions: "10",
  clicks: "2",
  conversions: "0",
  currency: "USD",
};

function row(w: CopyBinaryWriter, r: Partial<StagedRow> & { name?: Buffer } = {}, key?: string) {
  const v = { ...ROW, ...r };
  if (key) w.uuid(uuidBytes(key));
  w.int4(v.lineNo);
  w.date(v.date);
  const id = Buffer.from(v.campaignId);
  w.text(id, 0, id.length);
  const name = r.name ?? Buffer.from(v.campaignName);
  w.text(name, 0, name.length);
  w.numeric(v.spend);
  w.int8(v.impressions);
  w.int8(v.clicks);
  w.numeric(v.conversions);
  w.ascii(v.currency);
  w.endRow();
}

/** Values at the edges of what the parser hands over: decimals of 0–6 places, up to 14 integer digits, 18-digit integers. */
const EDGES: Partial<StagedRow>[] = [
  { spend: "0", conversions: "0.000001", impressions: "0", clicks: "0" },
  { spend: "0.5", conversions: "12.34", impressions: "9999", clicks: "10000" },
  { spend: "10000", conversions: "1.00001", impressions: "999999999999999", clicks: "4294967296" },
  { spend: "99999999999999.999999", conversions: "1234567.123456", impressions: "999999999999999999", clicks: "123456789012345678" },
  { spend: "-12.5", conversions: "-0.0001", date: "1999-12-31" },
  { date: "2000-01-01", lineNo: 2 ** 31 - 1 },
  { date: "2099-12-31", campaignName: 'a\\b\tc\nd\re,"q"' },
];

describe("CopyBinaryWriter", () => {
  it("writes the key column first and starts over after take()", () => {
    const w = new CopyBinaryWriter(8); // tiny: grows several times
    row(w, {}, "0b6f9e0c-3f5e-4c1a-9d3e-2a1b0c9d8e7f");
    expect(w.rows).toBe(1);
    const first = w.take();
    expect(first.subarray(0, 11).toString("latin1")).toBe("PGCOPY\n\xff\r\n\0");
    expect(first.readInt16BE(19)).toBe(10); // fields of the first row
    expect(first.subarray(25, 41).toString("hex")).toBe("0b6f9e0c3f5e4c1a9d3e2a1b0c9d8e7f");
    expect(first.readInt16BE(first.length - 2)).toBe(-1);
    expect(decodeStagedRows(first, true)).toEqual([ROW]);
    expect(w.rows).toBe(0);
    expect(decodeStagedRows(w.take())).toEqual([]);
  });

  it("round-trips the values at the edges of each column", () => {
    const w = new CopyBinaryWriter(8);
    for (const r of EDGES) row(w, r);
    expect(decodeStagedRows(w.take())).toEqual(EDGES.map((r) => ({ ...ROW, ...r })));
  });

  it("keeps valid UTF-8 as is and turns invalid sequences into U+FFFD", () => {
    const w = new CopyBinaryWriter(8);
    row(w, { name: Buffer.from("Café 🚀\\", "utf8") });
    row(w, { name: Buffer.from([0x43, 0x61, 0x66, 0xe9]) }); // Latin-1 "Café": not UTF-8
    expect(decodeStagedRows(w.take()).map((r) => r.campaignName)).toEqual(["Café 🚀\\", "Caf\uFFFD"]);
  });

  it("refuses a key that is not a UUID", () => {
    expect(() => uuidBytes("not-a-uuid")).toThrow(/not a UUID/);
  });

  it("reuses a recycled batch buffer for a later batch, never one still handed out", () => {
    const w = new CopyBinaryWriter(1 << 16);
    row(w, { campaignName: "first" });
    const first = w.take();
    row(w, { campaignName: "second" });
    const second = w.take();
    expect(second.buffer).not.toBe(first.buffer);
    recycleStaged(first);
    row(w, { campaignName: "third" });
    expect(w.take().buffer).not.toBe(first.buffer); // written before the spare came back
    row(w, { campaignName: "fourth" });
    const fourth = w.take();
    expect(fourth.buffer).toBe(first.buffer); // taken up as the buffer after the third batch
    expect(decodeStagedRows(fourth).map((r) => r.campaignName)).toEqual(["fourth"]);
  });

  it("is read by PostgreSQL as the values it stands for, in the staging table's column types", async () => {
    const key = "0b6f9e0c-3f5e-4c1a-9d3e-2a1b0c9d8e7f";
    const w = new CopyBinaryWriter(8);
    for (const r of EDGES) row(w, { ...r, name: Buffer.from([0x43, 0x61, 0x66, 0xe9]) }, key);
    const client = await pool().connect();
    try {
      await client.query("BEGIN");
      await client.query(`CREATE TEMP TABLE copied (LIKE staging_rows) ON COMMIT DROP`);
      await client.query(`ALTER TABLE copied ALTER COLUMN arrived_on DROP NOT NULL`); // a partition's own default
      const stream = client.query(copyFrom(`COPY copied (upload_id, ${STAGING_COPY_COLUMNS.join(", ")}) FROM STDIN (FORMAT binary)`));
      await pipeline(Readable.from([w.take()]), stream);
      expect(stream.rowCount).toBe(EDGES.length);
      const { rows } = await client.query(
        `SELECT upload_id::text, line_no, date::text, campaign_id, campaign_name, spend::text, impressions::text, clicks::text, conversions::text, currency
           FROM copied ORDER BY ctid`,
      );
      const expected = EDGES.map((r) => ({ ...ROW, ...r })).map((r) => ({
        upload_id: key,
        line_no: r.lineNo,
        date: r.date,
        campaign_id: r.campaignId,
        campaign_name: "Caf\uFFFD",
        // numeric(20,6) shows six decimals; the value is the same
        spend: sixDecimals(r.spend),
        impressions: r.impressions,
        clicks: r.clicks,
        conversions: sixDecimals(r.conversions),
        currency: r.currency,
      }));
      expect(rows).toEqual(expected);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });
});

/** A normalized decimal as numeric(20,6) prints it. */
function sixDecimals(s: string): string {
  const [int, frac = ""] = s.split(".");
  return `${int}.${frac.padEnd(6, "0")}`;
}
