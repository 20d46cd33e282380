import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { closeDb, pool, resetDatabase } from "@/lib/testing/db";
import { escapeLike, Filter } from "./filter";

describe("Filter", () => {
  it("binds every value as a parameter and skips unset filters (false still applies)", () => {
    const f = new Filter()
      .where((p) => `a = ${p}`, "x")
      .where((p) => `b = ${p}`, undefined)
      .where((p) => `c = ${p}`, "")
      .where((p) => `d = ${p}`, false)
      .whereSql(false)
      .whereSql("e IS NULL");
    expect(f.clause).toBe("WHERE a = $1 AND d = $2 AND e IS NULL");
    expect(f.params).toEqual(["x", false]);
    expect(new Filter().clause).toBe("");
    expect(new Filter().conjunction).toBe("true");
  });

  it("escapes the LIKE wildcards of user text", () => {
    expect(escapeLike("50%_off\\")).toBe("50\\%\\_off\\\\");
  });
});

describe("Filter.contains against PostgreSQL", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("matches % and _ literally, case-insensitively, over several columns", async () => {
    await pool().query(
      `INSERT INTO audit_log (actor_email, actor_roles, action, target_type, outcome) VALUES
        ('a%b@example.com', '{oncall}', 'x', 'control', 'ok'), ('axb@example.com', '{oncall}', 'x', 'control', 'ok'), ('A_B@example.com', '{oncall}', 'y', 'control', 'ok')`,
    );
    const emails = async (text: string) => {
      const f = new Filter().contains(["actor_email", "action"], text);
      return (await pool().query(`SELECT actor_email FROM audit_log ${f.clause} ORDER BY actor_email`, f.params)).rows.map((r) => r.actor_email);
    };
    expect(await emails("a%b")).toEqual(["a%b@example.com"]);
    expect(await emails("a_b")).toEqual(["A_B@example.com"]);
    expect(await emails("Y")).toEqual(["A_B@example.com"]);
  });
});
