import { readFileSync } from "node:fs";
import { CsvScanner2 } from "./_scan2";
const data = readFileSync("/tmp/ingest-bench-meta-1000000.csv");
const whole = new TextDecoder().decode(data);
function scan(pieces: string[], finalAlways: boolean) {
  const sc = new CsvScanner2(",");
  let n = 0, pending = "";
  for (let k = 0; k < pieces.length; k++) {
    let buf = pending + pieces[k];
    let pos = 0;
    const final = finalAlways || k === pieces.length - 1;
    while (pos < buf.length) { const np = sc.next(buf, pos, final); if (np === -1) break; n++; pos = np; }
    pending = buf.slice(pos);
  }
  return n;
}
function timeit(label: string, fn: () => number) {
  let best = 1e9;
  let n = 0;
  for (let i = 0; i < 4; i++) { const t = performance.now(); n = fn(); best = Math.min(best, performance.now() - t); }
  console.log(label.padEnd(24), n, "best wall", best.toFixed(0), "ms");
}
// pieces cut at line boundaries
function cutAtLines(s: string, size: number) { const out: string[] = []; let o = 0; while (o < s.length) { let e = Math.min(s.length, o + size); const nl = s.indexOf("\n", e); e = nl === -1 ? s.length : nl + 1; out.push(s.slice(o, e)); o = e; } return out; }
const mode = process.argv[2];
if (mode === "a") timeit("whole final", () => scan([whole], true));
if (mode === "b") timeit("whole notfinal", () => scan([whole, ""], false));
if (mode === "c") timeit("line-cut 64k final", () => scan(cutAtLines(whole, 65536), true));
if (mode === "d") timeit("line-cut 64k notfinal", () => scan(cutAtLines(whole, 65536), false));
if (mode === "e") { const p = cutAtLines(whole, 65536).map(s => Buffer.from(s).toString()); timeit("flat line-cut 64k final", () => scan(p, true)); }
if (mode === "f") { const p = cutAtLines(whole, 1<<22).map(s => Buffer.from(s).toString()); timeit("flat line-cut 4M final", () => scan(p, true)); }
if (mode === "g") { const p: string[] = []; for (let o = 0; o < whole.length; o += 65536) p.push(whole.slice(o, o + 65536)); timeit("64k slices", () => scan(p, false)); }
function scanStitch(pieces: string[]) {
  const sc = new CsvScanner2(",");
  let n = 0, pending = "";
  for (let k = 0; k < pieces.length; k++) {
    const final = k === pieces.length - 1;
    let buf = pending.length ? pending + pieces[k] : pieces[k];
    let pos = 0;
    let pl = pending.length;
    while (pos < buf.length) {
      if (pl > 0 && pos >= pl) { buf = pieces[k]; pos -= pl; pl = 0; }
      const np = sc.next(buf, pos, final); if (np === -1) break; n++; pos = np; }
    pending = buf.slice(pos);
  }
  return n;
}
const bufChunks: string[] = []; for (let o = 0; o < data.length; o += 65536) bufChunks.push(data.subarray(o, o + 65536).toString("utf8"));
const decChunks: string[] = []; { const dec = new TextDecoder(); for (let o = 0; o < data.length; o += 65536) decChunks.push(dec.decode(data.subarray(o, o + 65536), { stream: true })); }
if (mode === "h") timeit("dec cons", () => scan(decChunks, false));
if (mode === "i") timeit("buf cons", () => scan(bufChunks, false));
if (mode === "j") timeit("buf stitch", () => scanStitch(bufChunks));
if (mode === "k") timeit("dec stitch", () => scanStitch(decChunks));
if (mode === "l") { const p = cutAtLines(whole, 65536).map(s => new TextDecoder().decode(Buffer.from(s))); timeit("dec line-cut", () => scan(p, false)); }
import { CsvScanner } from "./csv-scanner";
function scanJoin(pieces: string[], Cls: any) {
  const sc = new Cls(",");
  let n = 0, pending = "";
  for (let k = 0; k < pieces.length; k++) {
    let buf = pending.length ? [pending, pieces[k]].join("") : pieces[k];
    let pos = 0;
    const final = k === pieces.length - 1;
    while (pos < buf.length) { const np = sc.next(buf, pos, final); if (np === -1) break; n++; pos = np; }
    pending = buf.slice(pos);
  }
  return n;
}
if (mode === "m") timeit("dec join offsets", () => scanJoin(decChunks, CsvScanner2));
if (mode === "n") timeit("dec join slices", () => scanJoin(decChunks, CsvScanner));
const asciiWhole = whole.replace(/[^\x00-\x7f]/g, "?");
const asciiChunks: string[] = []; for (let o = 0; o < asciiWhole.length; o += 65536) asciiChunks.push(Buffer.from(asciiWhole.slice(o, o + 65536)).toString());
if (mode === "o") timeit("ascii join", () => scanJoin(asciiChunks, CsvScanner2));
if (mode === "p") { const p = cutAtLines(asciiWhole, 65536).map(s => Buffer.from(s).toString()); timeit("ascii line-cut", () => scanJoin(p, CsvScanner2)); }
if (mode === "q") timeit("ascii whole", () => scanJoin([asciiWhole], CsvScanner2));
if (mode === "r") {
  const sc = new CsvScanner2(",");
  let n = 0, pending = "", needMore = 0, maxPending = 0, twoByte = 0;
  const t = performance.now();
  for (let k = 0; k < decChunks.length; k++) {
    let buf = pending.length ? [pending, decChunks[k]].join("") : decChunks[k];
    let pos = 0;
    const final = k === decChunks.length - 1;
    while (pos < buf.length) { const np = sc.next(buf, pos, final); if (np === -1) { needMore++; break; } n++; pos = np; }
    pending = buf.slice(pos);
    maxPending = Math.max(maxPending, pending.length);
  }
  console.log({ n, needMore, maxPending, ms: performance.now() - t });
}
if (mode === "s") {
  for (let rep = 0; rep < 2; rep++) {
  const sc = new CsvScanner2(",");
  let pending = "";
  const times: number[] = [];
  for (let k = 0; k < decChunks.length; k++) {
    const t = performance.now();
    let buf = pending.length ? [pending, decChunks[k]].join("") : decChunks[k];
    let pos = 0;
    const final = k === decChunks.length - 1;
    while (pos < buf.length) { const np = sc.next(buf, pos, final); if (np === -1) break; pos = np; }
    pending = buf.slice(pos);
    times.push(performance.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log("median", sorted[sorted.length >> 1].toFixed(3), "p90", sorted[Math.floor(sorted.length * 0.9)].toFixed(3), "max", sorted[sorted.length - 1].toFixed(1), "sum", times.reduce((a, b) => a + b).toFixed(0));
  console.log(times.slice(0, 40).map(x => x.toFixed(2)).join(" "));
  console.log(times.slice(1000, 1040).map(x => x.toFixed(2)).join(" "));
  }
}
if (mode === "t") {
  for (let rep = 0; rep < 2; rep++) {
  const sc = new CsvScanner2(",");
  let pending = "";
  const stat: Record<string, number[]> = {};
  for (let k = 0; k < decChunks.length; k++) {
    const wide = /[^\x00-\xff]/.test(decChunks[k]);
    const pwide = /[^\x00-\xff]/.test(pending);
    const t = performance.now();
    let buf = pending.length ? [pending, decChunks[k]].join("") : decChunks[k];
    let pos = 0;
    const final = k === decChunks.length - 1;
    while (pos < buf.length) { const np = sc.next(buf, pos, final); if (np === -1) break; pos = np; }
    pending = buf.slice(pos);
    const key = `chunkWide=${wide} pendingWide=${pwide}`;
    (stat[key] ??= []).push(performance.now() - t);
  }
  for (const [k, v] of Object.entries(stat)) { v.sort((a, b) => a - b); console.log(k, v.length, "median", v[v.length >> 1].toFixed(3)); }
  }
}
if (mode === "u") {
  // pass 1: build the bufs as the join approach would
  const sc0 = new CsvScanner2(",");
  let pending = "";
  const bufs: string[] = [];
  for (let k = 0; k < decChunks.length; k++) {
    let buf = pending.length ? [pending, decChunks[k]].join("") : decChunks[k];
    let pos = 0;
    while (pos < buf.length) { const np = sc0.next(buf, pos, k === decChunks.length - 1); if (np === -1) break; pos = np; }
    bufs.push(buf.slice(0, pos));
    pending = buf.slice(pos);
  }
  const flat = bufs.map((b) => [b, ""].join(""));
  timeit("prebuilt sliced", () => scanJoin(bufs, CsvScanner2));
  timeit("prebuilt flat", () => scanJoin(flat, CsvScanner2));
}
