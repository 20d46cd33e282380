import { describe, expect, it } from "vitest";
import { KeyFilter } from "./key-filter";

describe("KeyFilter", () => {
  it("never misses a repeated key", () => {
    const f = new KeyFilter();
    const id = Buffer.from("xx120210000000000045yy");
    expect(f.add("2024-03-01", id, 2, 20)).toBe(false);
    expect(f.add("2024-03-02", id, 2, 20)).toBe(false); // other day
    expect(f.add("2024-03-01", id, 2, 19)).toBe(false); // other ID
    expect(f.add("2024-03-01", Buffer.from("120210000000000045"), 0, 18)).toBe(true);
    expect(f.repeats).toBe(1);
  });

  it("raises no false alarm on a million distinct keys shaped like a real export", () => {
    const f = new KeyFilter();
    const ids = Array.from({ length: 700 }, (_, i) => Buffer.from(`1202100000000${100_000 + i}`));
    for (let i = 0; i < 1_000_000; i++) {
      const day = new Date(Date.UTC(2020, 0, 1) + Math.floor(i / 700) * 86_400_000).toISOString().slice(0, 10);
      f.add(day, ids[i % 700], 0, ids[i % 700].length);
    }
    expect(f.repeats).toBe(0);
  });
});
