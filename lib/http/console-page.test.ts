import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const CONSOLE = path.resolve("app/(console)");

function pages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pages(full);
    return entry.name === "page.tsx" ? [full] : [];
  });
}

describe("every console page authorizes itself", () => {
  const files = pages(CONSOLE);

  it("finds the console pages", () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files.map((f) => [path.relative(CONSOLE, f), f]))("%s default-exports consolePage({ permission }, …)", (_name, file) => {
    const source = readFileSync(file, "utf8");
    expect(source).toMatch(/export default consolePage\(\{ permission: "[a-z_]+\.[a-z_]+" \}/);
    // A page that reads the session itself would be a second, unreviewed authorization path.
    expect(source).not.toMatch(/getServerSession|requirePageUser|getCurrentUser/);
  });
});
