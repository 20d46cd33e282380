import { readFileSync } from "node:fs";
import { parseFile } from "./parse-file";
const data = readFileSync("/tmp/ingest-bench-meta-1000000.csv");
const CH = Number(process.argv[3] ?? 65536);
const chunks: Buffer[] = []; for (let o = 0; o < data.length; o += CH) chunks.push(data.subarray(o, o + CH));
const orig = TextDecoder.prototype.decode;
let calls = 0, bytes = 0, ms = 0;
(TextDecoder.prototype as any).decode = function (b: any, o: any) { calls++; bytes += b?.length ?? 0; const t = performance.now(); const r = orig.call(this, b, o); ms += performance.now() - t; return r; };
const bs = Number(process.argv[2] ?? 10000);
for (let rep = 0; rep < 3; rep++) {
  calls = 0; bytes = 0; ms = 0;
  const t = performance.now();
  let n = 0;
  for await (const b of parseFile((async function* () { for (const c of chunks) yield c; })(), { platform: "meta", defaultCurrency: "USD", today: "2030-01-01", batchSize: bs })) n += b.records;
  console.log({ n, calls, bytes, decodeMs: Math.round(ms), totalMs: Math.round(performance.now() - t) });
}
