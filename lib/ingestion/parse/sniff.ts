/**
 * Intake check on the first bytes of an upload (answer 415 when it fails): is this plausibly a
 * CSV text file? Rejects known binary formats by magic number and NUL bytes in 8-bit content;
 * accepts UTF-8 (with or without BOM) and UTF-16 with a BOM. Pass the first few KiB (4–64 KiB).
 */

const MAGIC: ReadonlyArray<{ bytes: readonly number[]; what: string }> = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: "a ZIP archive (an .xlsx workbook is one)" },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: "an empty ZIP archive" },
  { bytes: [0x50, 0x4b, 0x07, 0x08], what: "a ZIP archive" },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: "an old Excel (.xls) / OLE document" },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: "a PDF document" },
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: "a PNG image" },
  { bytes: [0xff, 0xd8, 0xff], what: "a JPEG image" },
  { bytes: [0x47, 0x49, 0x46, 0x38, 0x37, 0x61], what: "a GIF image" },
  { bytes: [0x47, 0x49, 0x46, 0x38, 0x39, 0x61], what: "a GIF image" },
  { bytes: [0x1f, 0x8b], what: "a gzip archive" },
  { bytes: [0x42, 0x5a, 0x68], what: "a bzip2 archive" },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: "a 7-Zip archive" },
  { bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], what: "a RAR archive" },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: "a zstd archive" },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: "an executable (ELF)" },
];

export type SniffResult = { ok: true } | { ok: false; reason: string };

function startsWith(b: Uint8Array, magic: readonly number[]): boolean {
  if (b.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (b[i] !== magic[i]) return false;
  return true;
}

export function sniffCsv(firstBytes: Uint8Array): SniffResult {
  const b = firstBytes;
  for (const m of MAGIC) {
    if (startsWith(b, m.bytes)) return { ok: false, reason: `the file is ${m.what}, not a CSV text file` };
  }
  // UTF-32 LE also starts with FF FE: it is not supported.
  if (startsWith(b, [0xff, 0xfe, 0x00, 0x00])) return { ok: false, reason: "UTF-32 text is not supported; export the report as UTF-8 or UTF-16 CSV" };
  if (startsWith(b, [0xff, 0xfe]) || startsWith(b, [0xfe, 0xff])) return { ok: true }; // UTF-16 with BOM
  const start = startsWith(b, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  const nul = b.indexOf(0, start);
  if (nul !== -1) {
    return {
      ok: false,
      reason: `the file contains a NUL byte at offset ${nul}: it is binary, or UTF-16 text without a byte-order mark — not a CSV text file`,
    };
  }
  return { ok: true };
}
