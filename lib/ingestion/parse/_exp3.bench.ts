import { readFileSync } from "node:fs";
import { CsvScanner, NEED_MORE } from "./csv-scanner";
const data = readFileSync("/tmp/ingest-bench-meta-1000000.csv");
const dchunks: string[] = [];
{ const dec = new TextDecoder(); for (let o = 0; o < data.length; o += 65536) dchunks.push(dec.decode(data.subarray(o, o + 65536), { stream: true })); }
function scanCons(pieces: string[]) {
  const sc = new CsvScanner(",");
  let n = 0, pending = "";
  for (let k = 0; k < pieces.length; k++) {
    let buf = pending + pieces[k];
    let pos = 0;
    const final = k === pieces.length - 1;
    while (pos < buf.length) { const np = sc.next(buf, pos, final); if (np === NEED_MORE) break; n++; pos = np; }
    pending = buf.slice(pos);
  }
  return n;
}
function scanStitch(pieces: string[]) {
  const sc = new CsvScanner(",");
  let n = 0, pending = "";
  for (let k = 0; k < pieces.length; k++) {
    const final = k === pieces.length - 1;
    let buf = pending.length ? pending + pieces[k] : pieces[k];
    let pos = 0;
    let pl = pending.length;
    let stop = false;
    while (pos < buf.length) {
      if (pl > 0 && pos >= pl) { buf = pieces[k]; pos -= pl; pl = 0; }
      const np = sc.next(buf, pos, final); if (np === NEED_MORE) break; n++; pos = np; }
    pending = buf.slice(pos);
  }
  return n;
}
function timeit(label: string, fn: () => number) {
  let best = 1e9, bestCpu = 1e9;
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage(); const t = performance.now(); const n = fn(); const ms = performance.now() - t; const cpu = process.cpuUsage(c0);
    best = Math.min(best, ms); bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
  }
  console.log(label.padEnd(10), "best wall", best.toFixed(0), "ms; best cpu", bestCpu.toFixed(0), "ms");
}
timeit("cons", () => scanCons(dchunks));
timeit("stitch", () => scanStitch(dchunks));
timeit("cons", () => scanCons(dchunks));
timeit("stitch", () => scanStitch(dchunks));
import { CsvScanner2 } from "./_scan2";
function scanOff(pieces: string[]) {
  const sc = new CsvScanner2(",");
  let n = 0, pending = "";
  for (let k = 0; k < pieces.length; k++) {
    let buf = pending + pieces[k];
    let pos = 0;
    const final = k === pieces.length - 1;
    while (pos < buf.length) { const np = sc.next(buf, pos, final); if (np === -1) break; n++; pos = np; }
    pending = buf.slice(pos);
  }
  return n;
}
timeit("offsets", () => scanOff(dchunks));
timeit("offsets", () => scanOff(dchunks));
const whole = [dchunks.join("")];
timeit("whole cons", () => scanCons(whole));
timeit("whole offs", () => scanOff(whole));
