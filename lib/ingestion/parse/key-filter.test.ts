import { describe, expect, it } from "vitest";
import { KeyFilter } from "./key-filter";

const day = (n: number) => new Date(Date.UTC(2020, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

/** Adds days x campaigns distinct keys, day by day or campaign by campaign; answers the false alarms. */
function falseAlarms(days: number, campaigns: number, order: "by day" | "by campaign") {
  const f = new KeyFilter();
  const ids = Array.from({ length: campaigns }, (_, i) => Buffer.from(`1202100000${100_000_000 + i * 7919}`));
  let alarms = 0;
  for (let i = 0; i < days * campaigns; i++) {
    const [d, c] = order === "by day" ? [Math.floor(i / campaigns), i % campaigns] : [i % days, Math.floor(i / days)];
    if (f.add(day(d), ids[c], 0, ids[c].length)) alarms++;
  }
  return alarms;
}

describe("KeyFilter", () => {
  it("never misses a repeated key, and names it as staging stores it", () => {
    const f = new KeyFilter();
    const id = Buffer.from("xx120210000000000045yy");
    expect(f.add("2024-03-01", id, 2, 20)).toBe(false);
    expect(f.add("2024-03-02", id, 2, 20)).toBe(false); // other day
    expect(f.add("2024-03-01", id, 2, 19)).toBe(false); // other ID
    expect(f.takeSuspects()).toEqual([]);
    expect(f.add("2024-03-01", Buffer.from("120210000000000045"), 0, 18)).toBe(true);
    expect(f.takeSuspects()).toEqual([{ date: "2024-03-01", campaignId: "120210000000000045" }]);
    expect(f.takeSuspects()).toEqual([]);
  });

  it("makes every key suspect when a repeated campaign ID cannot be named exactly (not ASCII)", () => {
    const f = new KeyFilter();
    const id = Buffer.from("Café-1");
    f.add("2024-03-01", id, 0, id.length);
    f.add("2024-03-01", id, 0, id.length);
    expect(f.takeSuspects()).toBe("all");
  });

  it("raises next to no false alarm on a million distinct keys, in either order real exports use", () => {
    expect(falseAlarms(1429, 700, "by day")).toBe(0);
    expect(falseAlarms(1429, 700, "by campaign")).toBe(0);
    // many campaigns a day crowd the days' regions: a few false alarms, each one key for SQL to check
    expect(falseAlarms(30, 33_334, "by day")).toBeLessThanOrEqual(10);
  });
});
