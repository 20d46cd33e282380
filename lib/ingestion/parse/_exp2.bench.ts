import { readFileSync } from "node:fs";
import { CsvScanner, NEED_MORE } from "./csv-scanner";
const data = readFileSync("/tmp/ingest-bench-meta-1000000.csv");
const mode = process.argv[2];
const ascii = new TextDecoder().decode(data).replace(/[^\x00-\x7f]/g, "?");
function scanAll(label: string, pieces: string[]) {
  const t = performance.now();
  const sc = new CsvScanner(",");
  let n = 0, pending = "";
  for (let k = 0; k < pieces.length; k++) {
    let buf = pending.length ? pending + pieces[k] : pieces[k];
    let pos = 0;
    const final = k === pieces.length - 1;
    while (pos < buf.length) { const np = sc.next(buf, pos, final); if (np === NEED_MORE) break; n++; pos = np; }
    pending = buf.slice(pos);
  }
  const ms = performance.now() - t;
  console.log(label, pieces.length, n, ms.toFixed(0), "ms", Math.round(n / (ms / 1000)), "rec/s");
}
function pieces(size: number) { const out: string[] = []; for (let o = 0; o < ascii.length; o += size) out.push(Buffer.from(ascii.slice(o, o + size), "latin1").toString("latin1")); return out; }
const sizes = mode === "big" ? [1 << 26, 1 << 24, 1 << 22] : [1 << 20, 1 << 18, 1 << 16, 1 << 14];
for (const s of sizes) { const p = pieces(s); for (let i = 0; i < 2; i++) scanAll("size " + s, p); }
