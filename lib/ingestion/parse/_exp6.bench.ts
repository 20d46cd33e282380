import { readFileSync } from "node:fs";
const data = readFileSync("/tmp/ingest-bench-meta-1000000.csv");
const chunks: Buffer[] = []; for (let o = 0; o < data.length; o += 65536) chunks.push(data.subarray(o, o + 65536));
const td = new TextDecoder("utf-8", { ignoreBOM: true });
function timeit(label: string, fn: () => number) { let best = 1e9, n = 0; for (let i = 0; i < 4; i++) { const t = performance.now(); n = fn(); best = Math.min(best, performance.now() - t); } console.log(label.padEnd(20), n, best.toFixed(0), "ms"); }
timeit("TextDecoder", () => { let n = 0; for (const c of chunks) n += td.decode(c).length; return n; });
timeit("utf8Slice", () => { let n = 0; for (const c of chunks) n += (c as any).utf8Slice(0, c.length).length; return n; });
timeit("toString", () => { let n = 0; for (const c of chunks) n += c.toString("utf8").length; return n; });
timeit("latin1Slice", () => { let n = 0; for (const c of chunks) n += (c as any).latin1Slice(0, c.length).length; return n; });
const ascii = Buffer.from(data.toString("latin1").replace(/[^\x00-\x7f]/g, "?"), "latin1");
const achunks: Buffer[] = []; for (let o = 0; o < ascii.length; o += 65536) achunks.push(ascii.subarray(o, o + 65536));
timeit("TextDecoder ascii", () => { let n = 0; for (const c of achunks) n += td.decode(c).length; return n; });
timeit("utf8Slice ascii", () => { let n = 0; for (const c of achunks) n += (c as any).utf8Slice(0, c.length).length; return n; });
