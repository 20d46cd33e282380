/**
 * Issue 15 §5: a short founder-absence simulation in the unit suite. The real script runs as its own
 * process (its own embedded PostgreSQL, its own virtual clock), and the test reads the report it wrote.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function simulate(args: string[]) {
  const out = mkdtempSync(path.join(tmpdir(), "sim-report-"));
  dirs.push(out);
  const run = spawnSync(process.execPath, ["--import", "tsx", "--import", "./lib/simulation/preload.mjs", "scripts/simulate.ts", "--out", out, ...args], {
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: "" },
    timeout: 280_000,
  });
  const report = (() => {
    try {
      return JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
    } catch {
      return null;
    }
  })();
  return { status: run.status, output: `${run.stdout}\n${run.stderr}`, report, markdown: report ? readFileSync(path.join(out, "report.md"), "utf8") : "" };
}

describe("the founder-absence simulation", () => {
  it("two simulated days with every fault: each detected within its threshold, no row lost, no engineer, exit 0", { timeout: 300_000 }, () => {
    const run = simulate(["--days", "2", "--seed", "7"]);
    expect(run.report, run.output).not.toBeNull();
    const undetected = run.report.faults.filter((f: { detected: boolean }) => !f.detected).map((f: { id: string }) => f.id);
    expect(undetected, run.output).toEqual([]);
    expect(run.report.faults).toHaveLength(12);
    expect(run.report.ledger.rowsLost).toBe(0);
    expect(run.report.ledger.rowsReceived).toBeGreaterThan(10_000);
    expect(run.report.ledger.rowsPromoted).toBe(run.report.ledger.rowsReceived - run.report.ledger.rowsInvalid - run.report.ledger.rowsIgnored);
    expect(run.report.ledger.problems).toEqual([]);
    expect(run.report.engineeringInterventions).toEqual([]);
    expect(run.markdown).toContain("**Verdict: PASS**");
    expect(run.status, run.output).toBe(0);
  });

  it("fails when a detector is switched off: the spend jump goes unreported and the exit code is 1", { timeout: 150_000 }, () => {
    // A threshold of 1000 % day over day: the spend_delta signal cannot fire on a +60 % jump.
    const run = simulate(["--days", "1", "--faults", "spend_jump", "--thresholds", JSON.stringify({ spendDelta: { threshold: 10 } })]);
    expect(run.report, run.output).not.toBeNull();
    expect(run.report.faults.map((f: { id: string; detected: boolean }) => [f.id, f.detected])).toEqual([["spend_jump", false]]);
    expect(run.report.verdict.failures.join("\n")).toContain("spend_jump#0 not detected");
    expect(run.status, run.output).toBe(1);
  });
});
