import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouteFiles, serveAppRoutes, sessionCookie } from "@/lib/testing/next-routes";
import { createWorkspace, prisma, resetDatabase } from "@/lib/testing/db";
import { apiKeyFor } from "@/lib/testing/pipeline";
import { ROLES } from "@/lib/auth/permissions";

// The marker package throws outside Next's react-server build; the route modules import it.

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
/** A valid value for each dynamic segment that is not the id under test. */
const OTHER_SEGMENTS: Record<string, string> = { line: "pm" };

const withId = appRouteFiles("api").filter((r) => r.segments.includes("[id]"));
let server: Awaited<ReturnType<typeof serveAppRoutes>>;
let cookie: string;
let apiKey: string;

beforeAll(async () => {
  await resetDatabase();
  // Every role, so that no permission check answers before the id is looked at.
  const user = await prisma().user.create({ data: { email: "everyone@example.com", name: "Everyone", roles: [...ROLES] } });
  cookie = await sessionCookie(user);
  await createWorkspace("acme");
  apiKey = await apiKeyFor("acme");
  server = await serveAppRoutes(withId);
});
afterAll(() => server?.close());

describe("a malformed id in any app/api route answers 404 JSON, never 500", () => {
  it("finds the routes with an [id] on the file system", () => {
    expect(withId.length).toBeGreaterThanOrEqual(15);
    expect(withId.map((r) => r.pattern)).toContain("/api/v1/uploads/[id]");
  });

  it.each(withId.map((r) => [r.pattern, r] as const))("%s", async (_pattern, route) => {
    const handlers = await import(/* @vite-ignore */ route.file);
    const methods = METHODS.filter((m) => typeof handlers[m] === "function");
    expect(methods.length).toBeGreaterThan(0);
    const url =
      server.url +
      route.segments
        .map((s) => {
          const name = s.match(/^\[(\w+)\]$/)?.[1];
          if (!name) return `/${s}`;
          if (name === "id") return "/not-a-uuid";
          if (!(name in OTHER_SEGMENTS)) throw new Error(`Give lib/http/ids.test.ts a valid value for [${name}] in ${route.pattern}`);
          return `/${OTHER_SEGMENTS[name]}`;
        })
        .join("");
    for (const method of methods) {
      const headers: Record<string, string> = route.pattern.startsWith("/api/v1/") ? { authorization: `Bearer ${apiKey}` } : { cookie };
      if (method !== "GET") Object.assign(headers, { origin: server.url, "content-type": "application/json" });
      const response = await fetch(url, { method, headers, body: method === "GET" ? undefined : "{}" });
      const text = await response.text();
      expect({ method, status: response.status, contentType: response.headers.get("content-type"), body: text }).toMatchObject({
        status: 404,
        contentType: expect.stringContaining("application/json"),
      });
      expect(JSON.parse(text).error.code).toBe("NOT_FOUND");
    }
  });
});
