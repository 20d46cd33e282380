import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sniffCsv } from "./sniff";

const FIXTURES = path.resolve("lib/testing/fixtures");
const bytes = (...b: number[]) => new Uint8Array(b);

describe("sniffCsv (intake: 415 for a binary or non-text file)", () => {
  it.each([
    ["xlsx / zip", [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00], /ZIP/],
    ["empty zip", [0x50, 0x4b, 0x05, 0x06, 0, 0], /ZIP/],
    ["legacy xls", [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0], /Excel/],
    ["pdf", [...Buffer.from("%PDF-1.7\n")], /PDF/],
    ["png", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], /PNG/],
    ["jpeg", [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], /JPEG/],
    ["gif", [...Buffer.from("GIF89a"), 1, 0], /GIF/],
    ["gzip", [0x1f, 0x8b, 0x08, 0x00], /gzip/],
  ] as const)("rejects %s", (_name, magic, reason) => {
    const r = sniffCsv(bytes(...magic));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it("rejects NUL bytes in UTF-8 content (binary, or UTF-16 without a BOM)", () => {
    const r = sniffCsv(Buffer.from("Day,Campaign ID\n2024-03-01,1\0\n"));
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/NUL byte at offset 28/) });
    expect(sniffCsv(Buffer.from("Day,Campaign", "utf16le")).ok).toBe(false);
    expect(sniffCsv(Buffer.from("\uFEFFDay\0", "utf8")).ok).toBe(false);
  });

  it("accepts UTF-8 with or without BOM, and UTF-16 LE / BE with BOM", () => {
    expect(sniffCsv(Buffer.from("Day,Campaign name\n2024-03-01,Café 🚀\n"))).toEqual({ ok: true });
    expect(sniffCsv(readFileSync(path.join(FIXTURES, "meta.csv")))).toEqual({ ok: true });
    expect(sniffCsv(readFileSync(path.join(FIXTURES, "tiktok.csv")))).toEqual({ ok: true });
    expect(sniffCsv(readFileSync(path.join(FIXTURES, "google.csv")))).toEqual({ ok: true });
    expect(sniffCsv(Buffer.from("\uFEFFDay\tCampaign", "utf16le").swap16())).toEqual({ ok: true });
    expect(sniffCsv(new Uint8Array(0))).toEqual({ ok: true });
  });

  it("does not mistake text that starts like a magic number for binary", () => {
    expect(sniffCsv(Buffer.from("PK campaign,Campaign ID\n"))).toEqual({ ok: true });
    expect(sniffCsv(Buffer.from("GIF campaign,1\n"))).toEqual({ ok: true });
  });
});
