import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveRoutes } from "@/lib/testing/http";
import { assertBearer, bearerRoute, cronRoute } from "./bearer-route";

describe("the bearer wrapper of the machine routes (cron, metrics)", () => {
  let routes: Awaited<ReturnType<typeof serveRoutes>>;
  let runs = 0;
  beforeAll(async () => {
    const cron = cronRoute(async () => ({ worker: "test", runs: ++runs }));
    routes = await serveRoutes([
      { method: "GET", pattern: "/cron", handler: cron.GET },
      { method: "POST", pattern: "/cron", handler: cron.POST },
    ]);
  });
  afterAll(() => routes.close());

  it("runs the handler only with the right secret, over GET and POST", async () => {
    expect((await fetch(`${routes.url}/cron`)).status).toBe(401);
    expect((await fetch(`${routes.url}/cron`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect(runs).toBe(0);
    const ok = await fetch(`${routes.url}/cron`, { method: "POST", headers: { authorization: `Bearer ${process.env.CRON_SECRET}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ worker: "test", runs: 1 });
  });

  it("closes a route whose secret is not configured, or leaves it open when told to", async () => {
    expect(() => assertBearer("Bearer x", { variable: "CRON_SECRET", whenUnset: "closed" }, () => undefined)).toThrow(
      expect.objectContaining({ status: 503, code: "BEARER_DISABLED" }),
    );
    expect(() => assertBearer(null, { variable: "METRICS_TOKEN", whenUnset: "open" }, () => undefined)).not.toThrow();
    expect(() => assertBearer(null, { variable: "METRICS_TOKEN", whenUnset: "open" }, () => "metrics-secret")).toThrow(
      expect.objectContaining({ status: 401 }),
    );
    expect(() => assertBearer("Bearer metrics-secret", { variable: "METRICS_TOKEN", whenUnset: "open" }, () => "metrics-secret")).not.toThrow();
    const unset = bearerRoute({ variable: "METRICS_TOKEN", whenUnset: "closed" }, async () => "never");
    // METRICS_TOKEN is not set in the test environment, so the closed route answers 503 with a JSON error.
    const response = await unset(new Request("http://x/metrics"));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "BEARER_DISABLED" } });
  });
});
