import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./safe-redirect";

describe("safeCallbackPath", () => {
  it("keeps same-origin paths with their query", () => {
    expect(safeCallbackPath("/uploads?status=failed")).toBe("/uploads?status=failed");
    expect(safeCallbackPath("http://localhost:3000/alerts#a", "http://localhost:3000")).toBe("/alerts#a");
  });

  it.each([
    "javascript:alert(document.cookie)",
    " javascript:alert(1)",
    "https://elsewhere.example/phish",
    "//elsewhere.example",
    "/\\elsewhere.example",
    "/%0a//elsewhere",
    "/\tx",
    "data:text/html,hi",
    "",
  ])("turns %j into /", (raw) => {
    const result = safeCallbackPath(raw, "http://localhost:3000");
    expect(result === "/" || !/^\/\//.test(result)).toBe(true);
    expect(new URL(result, "http://localhost:3000").origin).toBe("http://localhost:3000");
    if (!raw.startsWith("/%0a")) expect(result).toBe("/");
  });

  it("refuses an absolute URL of another origin even when it looks alike", () => {
    expect(safeCallbackPath("http://localhost:3000.evil.example/", "http://localhost:3000")).toBe("/");
  });
});
