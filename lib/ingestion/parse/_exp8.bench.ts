import { readFileSync } from "node:fs";
const data = readFileSync("/tmp/ingest-bench-meta-1000000.csv");
const chunks: Buffer[] = []; for (let o = 0; o < data.length; o += 65536) chunks.push(data.subarray(o, o + 65536));
const fs = new Int32Array(256), fe = new Int32Array(256), fa = new Uint8Array(256);
const latin1 = (Buffer.prototype as any).latin1Slice as (this: Buffer, s: number, e: number) => string;
const utf8 = (Buffer.prototype as any).utf8Slice as (this: Buffer, s: number, e: number) => string;
function scanRecord(b: Uint8Array, pos: number, len: number, final: boolean): number {
  let nf = 0;
  for (;;) {
    if (pos < len && b[pos] === 34) {
      let p = pos + 1; const s = p; let acc = 0;
      for (;;) { if (p >= len) return -1; const c = b[p]; if (c === 34) { if (p + 1 >= len) { if (!final) return -1; break; } if (b[p + 1] === 34) { p += 2; continue; } break; } acc |= c; p++; }
      fs[nf] = s; fe[nf] = p; fa[nf++] = acc; pos = p + 1;
    } else {
      const s = pos; let acc = 0;
      while (pos < len) { const c = b[pos]; if (c === 44 || c === 10 || c === 13) break; acc |= c; pos++; }
      fs[nf] = s; fe[nf] = pos; fa[nf++] = acc;
    }
    if (pos >= len) { if (!final) return -1; nfOut = nf; return len; }
    const c = b[pos];
    if (c === 44) { pos++; continue; }
    if (c === 13) { if (pos + 1 >= len && !final) return -1; pos += b[pos + 1] === 10 ? 2 : 1; } else pos++;
    nfOut = nf;
    return pos;
  }
}
let nfOut = 0;
function str(b: Buffer, k: number) { return fa[k] < 128 ? latin1.call(b, fs[k], fe[k]) : utf8.call(b, fs[k], fe[k]); }
let lastDate = "";
function dateStr(b: Buffer, k: number) { const s = fs[k]; if (fe[k] - s === 10 && lastDate.length === 10) { let same = true; for (let i = 0; i < 10; i++) if (lastDate.charCodeAt(i) !== b[s + i]) { same = false; break; } if (same) return lastDate; } return (lastDate = latin1.call(b, s, fe[k])); }
type Row = { lineNo: number; date: string; campaignId: string; campaignName: string; spend: string; impressions: string; clicks: string; conversions: string; currency: string };
async function* parse(batchSize: number) {
  let left: Buffer = Buffer.alloc(0); let rows: Row[] = []; let line = 1;
  for (let k = 0; k < chunks.length; k++) {
    const b = left.length ? Buffer.concat([left, chunks[k]]) : chunks[k];
    const len = b.length; let pos = 0; const final = k === chunks.length - 1;
    while (pos < len) {
      const np = scanRecord(b, pos, len, final); if (np < 0) break;
      if (line > 1) rows.push({ lineNo: line, date: dateStr(b, 2), campaignId: str(b, 4), campaignName: str(b, 3), spend: latin1.call(b, fs[5], fe[5]), impressions: latin1.call(b, fs[6], fe[6]), clicks: latin1.call(b, fs[7], fe[7]), conversions: latin1.call(b, fs[8], fe[8]), currency: "USD" });
      line++;
      pos = np;
      if (rows.length >= batchSize) { yield rows; rows = []; }
    }
    left = b.subarray(pos);
  }
  if (rows.length) yield rows;
}
for (let rep = 0; rep < 4; rep++) {
  const t = performance.now(); let n = 0;
  for await (const r of parse(10000)) n += r.length;
  console.log(n, Math.round(performance.now() - t), "ms");
}
