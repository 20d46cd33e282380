import { readFileSync } from "node:fs";
import { CsvScanner, NEED_MORE } from "./csv-scanner";
const data = readFileSync("/tmp/ingest-bench-meta-1000000.csv");
const text = new TextDecoder().decode(data);
const chunks: string[] = [];
for (let o = 0; o < text.length; o += 65536) chunks.push(text.slice(o, o + 65536));
function scanAll(label: string, pieces: string[], flatten: boolean) {
  const t = performance.now();
  const sc = new CsvScanner(",");
  let n = 0, pending = "";
  for (let k = 0; k < pieces.length; k++) {
    let buf = pending + pieces[k];
    if (flatten) { buf = (" " + buf).slice(1); }
    let pos = 0;
    const final = k === pieces.length - 1;
    while (pos < buf.length) { const np = sc.next(buf, pos, final); if (np === NEED_MORE) break; n++; pos = np; }
    pending = buf.slice(pos);
  }
  console.log(label, n, ((performance.now() - t)).toFixed(0), "ms", Math.round(n / ((performance.now() - t) / 1000)), "rec/s");
}
for (let i = 0; i < 3; i++) { scanAll("chunks", chunks, false); }
scanAll("whole", [text], false);
// one-byte check
const ascii = text.replace(/[^\x00-\x7f]/g, "?");
const achunks: string[] = [];
for (let o = 0; o < ascii.length; o += 65536) achunks.push(ascii.slice(o, o + 65536));
for (let i = 0; i < 3; i++) scanAll("ascii chunks", achunks, false);
const fchunks = chunks.map((c) => Buffer.from(c).toString());
for (let i = 0; i < 2; i++) scanAll("flat pieces", fchunks, false);
for (let i = 0; i < 2; i++) scanAll("flatten buf", chunks, true);
const dchunks: string[] = [];
for (let o = 0; o < data.length; o += 65536) dchunks.push(new TextDecoder().decode(data.subarray(o, o + 65536)));
for (let i = 0; i < 2; i++) scanAll("decoded pieces", dchunks, false);
