import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import * as metricsRoute from "@/app/api/metrics/route";
import { exportedNames, parsePrometheusText } from "@/lib/signals/prometheus-text";
import { RUNBOOKS } from "@/lib/signals/catalog";
import { createWorkspace, resetDatabase } from "@/lib/testing/db";
import { serveRoutes } from "@/lib/testing/http";

const FILE = path.resolve("monitoring/alerts.yml");

type Rule = { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
type RuleFile = { groups: { name: string; interval?: string; rules: Rule[] }[] };

const AGGREGATIONS = ["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile"];
const KEYWORDS = new Set([
  ...AGGREGATIONS,
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "inf",
  "nan",
]);

/** The metric names a PromQL expression selects (functions, keywords, labels, strings and durations removed). */
export function metricNames(expr: string): string[] {
  const e = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\boffset\s+-?\w+/g, " ")
    .replace(/(^|[^a-zA-Z0-9_:])\d+(\.\d+)?(e[+-]?\d+)?/gi, "$1 ");
  const names: string[] = [];
  for (const m of e.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = e.slice(m.index! + m[0].length).trimStart();
    if (after.startsWith("(") || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return [...new Set(names)];
}

const rules = (parse(readFileSync(FILE, "utf8")) as RuleFile).groups.flatMap((g) => g.rules);

let routes: Awaited<ReturnType<typeof serveRoutes>>;
beforeAll(async () => {
  await resetDatabase();
  await createWorkspace("acme");
  routes = await serveRoutes([{ method: "GET", pattern: "/api/metrics", handler: metricsRoute.GET }]);
});
afterAll(async () => {
  await routes.close();
});

describe("monitoring/alerts.yml", () => {
  it("reads PromQL metric names the way Prometheus would", () => {
    expect(metricNames(`sum by (a) (rate(foo_total{x="y", z=~"a|b"}[5m])) / on () bar offset 1h > 1e3 and time() - baz_seconds > 7 * 86400`)).toEqual([
      "foo_total",
      "bar",
      "baz_seconds",
    ]);
  });

  it("is a Prometheus rule file: groups of rules, each with expr, for, severity, summary and runbook URL", () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(typeof rule.expr).toBe("string");
      expect(rule.for).toMatch(/^\d+[smhd]$/);
      expect(["warning", "page", "critical"]).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      const slug = rule.annotations?.runbook_url?.match(/\/runbooks\/([a-z0-9-]+)$/)?.[1];
      expect(
        RUNBOOKS.map((r) => r.slug),
        `${rule.alert} links to a runbook the console has`,
      ).toContain(slug);
    }
    const names = rules.map((r) => r.alert);
    for (const required of [
      "IngestionCircuitOpen",
      "IngestionHighErrorRate",
      "IngestionStagingBacklog",
      "IngestionStuckUploads",
      "IngestionDataStale",
      "IngestionWorkerSilent",
    ]) {
      expect(names).toContain(required);
    }
  });

  it("uses only metrics that a live /api/metrics exports", async () => {
    const response = await fetch(`${routes.url}/api/metrics`);
    expect(response.status).toBe(200);
    const exported = exportedNames(parsePrometheusText(await response.text()));
    for (const rule of rules) {
      const used = metricNames(rule.expr);
      expect(used.length, `${rule.alert} selects at least one metric`).toBeGreaterThan(0);
      for (const name of used) expect(exported.has(name), `${rule.alert} uses ${name}`).toBe(true);
    }
  });

  const promtool = process.env.PROMTOOL ?? spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" }).stdout.trim();
  it.skipIf(!promtool)("passes promtool check rules (when promtool is installed or PROMTOOL points at it)", () => {
    const check = spawnSync(promtool, ["check", "rules", FILE], { encoding: "utf8" });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });
});
