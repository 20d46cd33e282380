/**
 * Hand-run micro-benchmark (not a test):
 *
 *   npx tsx --conditions=react-server scripts/bench-parse.ts [rows=1000000] [platform=meta|google|tiktok|all]
 *   BENCH_DISK_ONLY=1 npx tsx --conditions=react-server scripts/bench-parse.ts 5000000   # memory flatness
 *
 * Generates the export once into the OS temp dir (reused on later runs), then measures
 *  (a) parse+validate from in-memory 64 KiB chunks (the parser alone), and
 *  (b) parse+validate streaming from disk (fs.createReadStream, 64 KiB chunks),
 * checks the counts against expectedCounts(), and prints records/s, MB/s and the peak RSS.
 * RSS staying flat while rows grow 1M -> 5M shows that memory does not depend on file size.
 */
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { expectedCounts, generateCsv, type GenerateOptions } from "@/lib/testing/generate-file";
import { parseFile, type Platform } from "@/lib/ingestion/parse/parse-file";

const rows = Number(process.argv[2] ?? 1_000_000);
const which = process.argv[3] ?? "meta";
const platforms: Platform[] = which === "all" ? ["meta", "tiktok", "google"] : [which as Platform];
const inMemory = rows <= 2_000_000 && !process.env.BENCH_DISK_ONLY;

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

async function run(platform: Platform) {
  const gen: GenerateOptions = { platform, rows, seed: 42, invalidEvery: 1000 };
  const file = path.join(tmpdir(), `ingest-bench-${platform}-${rows}.csv`);
  if (!existsSync(file)) {
    const t = performance.now();
    await pipeline(generateCsv(gen), createWriteStream(file));
    console.log(`generated ${file} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const bytes = statSync(file).size;
  const expected = expectedCounts(gen);
  const options = { platform, defaultCurrency: "USD", today: "2030-01-01" };

  async function measure(label: string, input: () => AsyncIterable<Uint8Array>) {
    peakRss = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let records = 0,
      valid = 0,
      invalid = 0,
      ignored = 0;
    for await (const b of parseFile(input(), options)) {
      records += b.records;
      valid += b.validRows;
      for (const i of b.issues) {
        if (i.kind === "invalid") invalid++;
        else ignored++;
      }
    }
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const ok = records === expected.totalRows && valid === expected.validRows && invalid === expected.invalidRows && ignored === expected.ignoredRows;
    console.log(
      `${platform.padEnd(6)} ${label.padEnd(10)} ${records.toLocaleString("en-US")} records in ${s.toFixed(2)} s = ` +
        `${Math.round(records / s).toLocaleString("en-US")} records/s, ${(bytes / 1e6 / s).toFixed(0)} MB/s ` +
        `(CPU ${cpuS.toFixed(2)} s, all threads incl. GC), ` +
        `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, counts ${ok ? "OK" : `MISMATCH ${JSON.stringify({ records, valid, invalid, ignored, expected })}`}`,
    );
  }

  if (inMemory) {
    const data = readFileSync(file);
    const chunks: Uint8Array[] = [];
    for (let o = 0; o < data.length; o += 65536) chunks.push(data.subarray(o, o + 65536));
    async function* memory() {
      for (const c of chunks) yield c;
    }
    for (let k = 0; k < 5; k++) await measure(`memory#${k + 1}`, memory);
  }
  for (let k = 0; k < 2; k++) await measure(`disk#${k + 1}`, () => createReadStream(file, { highWaterMark: 65536 }));
  console.log(`        file ${(bytes / 1e6).toFixed(0)} MB, ${(bytes / expected.totalRows).toFixed(0)} bytes/record`);
}

for (const p of platforms) await run(p);
clearInterval(sampler);
