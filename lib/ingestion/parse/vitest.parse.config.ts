import { defineConfig } from "vitest/config";
import path from "node:path";

// Temporary: the project config needs lib/testing/global-setup.ts, which is being written elsewhere.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "../../..") } },
  test: { include: ["lib/ingestion/**/*.test.ts"], root: path.resolve(import.meta.dirname, "../../.."), testTimeout: 60_000, pool: "forks" },
});
