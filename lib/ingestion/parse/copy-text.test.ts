import { describe, expect, it } from "vitest";
import { CopyTextWriter, decodeStagedRows, recycleStaged } from "./copy-text";

function row(w: CopyTextWriter, name: Buffer, key = "") {
  if (key) w.bytes(Buffer.from(key));
  w.int(7);
  for (const v of ["2024-03-01", "c-1"]) w.plain(v);
  w.text(name, 0, name.length);
  for (const v of ["1.5", "10", "2", "0", "USD"]) w.plain(v);
  w.endRow();
}

describe("CopyTextWriter", () => {
  it("escapes backslash, TAB, LF and CR so that each row stays one COPY line", () => {
    const w = new CopyTextWriter(8); // tiny: grows several times
    row(w, Buffer.from("a\\b\tc\nd\re"));
    const out = w.take();
    expect(out.toString()).toBe("7\t2024-03-01\tc-1\ta\\\\b\\tc\\nd\\re\t1.5\t10\t2\t0\tUSD\n");
    expect(decodeStagedRows(out)[0].campaignName).toBe("a\\b\tc\nd\re");
  });

  it("keeps valid UTF-8 as is and turns invalid sequences into U+FFFD", () => {
    const w = new CopyTextWriter();
    row(w, Buffer.from("Café 🚀\\", "utf8"));
    row(w, Buffer.from([0x43, 0x61, 0x66, 0xe9])); // Latin-1 "Café": not UTF-8
    expect(w.rows).toBe(2);
    expect(decodeStagedRows(w.take()).map((r) => r.campaignName)).toEqual(["Café 🚀\\", "Caf\uFFFD"]);
  });

  it("writes the key column first and starts over after take()", () => {
    const w = new CopyTextWriter();
    row(w, Buffer.from("x"), "k-1");
    const first = w.take();
    expect(first.toString().startsWith("k-1\t7\t")).toBe(true);
    expect(decodeStagedRows(first, true)).toEqual([
      { lineNo: 7, date: "2024-03-01", campaignId: "c-1", campaignName: "x", spend: "1.5", impressions: "10", clicks: "2", conversions: "0", currency: "USD" },
    ]);
    expect(w.rows).toBe(0);
    expect(w.take().length).toBe(0);
  });

  it("writes integers as digits", () => {
    const w = new CopyTextWriter();
    for (const n of [0, 9, 10, 12345, 2 ** 31 - 1]) w.int(n);
    w.endRow();
    expect(w.take().toString()).toBe("0\t9\t10\t12345\t2147483647\n");
  });

  it("reuses a recycled batch buffer for a later batch, never one still handed out", () => {
    const w = new CopyTextWriter(1 << 16);
    row(w, Buffer.from("first"));
    const first = w.take();
    row(w, Buffer.from("second"));
    const second = w.take();
    expect(second.buffer).not.toBe(first.buffer);
    recycleStaged(first);
    row(w, Buffer.from("third"));
    expect(w.take().buffer).not.toBe(first.buffer); // written before the spare came back
    row(w, Buffer.from("fourth"));
    const fourth = w.take();
    expect(fourth.buffer).toBe(first.buffer); // taken up as the buffer after the third batch
    expect(decodeStagedRows(fourth).map((r) => r.campaignName)).toEqual(["fourth"]);
  });
});
