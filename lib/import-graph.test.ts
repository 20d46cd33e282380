import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The folder map of docs/architecture.md, kept honest: folders of lib/ never import each other in a
 * loop, and the ground floor (lib/*.ts, lib/db, lib/text) imports nothing above it. Tests may reach
 * anywhere; production modules may not.
 */
const LIB = path.resolve("lib");
const GROUND_FLOOR = new Set(["env", "log", "errors", "instance", "db", "text"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

/** lib/alerts/x.ts → "alerts"; lib/env.ts → "env". */
function folderOf(file: string): string {
  const [first] = path.relative(LIB, file).split(path.sep);
  return first.replace(/\.tsx?$/, "");
}

/** Folder → folder → the files that make the edge. */
function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of sourceFiles(LIB)) {
    const source = readFileSync(file, "utf8");
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      let target: string;
      if (specifier.startsWith("@/lib/")) target = path.resolve(specifier.slice(2));
      else if (specifier.startsWith(".")) target = path.resolve(path.dirname(file), specifier);
      else continue;
      if (!target.startsWith(LIB + path.sep)) continue;
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges.set(to, [...(edges.get(to) ?? []), path.relative(process.cwd(), file)]));
    }
  }
  return graph;
}

/** Every cycle of folders, as the path that closes it (Tarjan's strongly connected components). */
function folderLoops(graph: Map<string, Map<string, string[]>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const loops: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do component.push((member = stack.pop()!));
      while (member !== node);
      if (component.length > 1) loops.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return loops;
}

describe("the import graph of lib/", () => {
  const graph = folderGraph();

  it("has no loop between folders", () => {
    const loops = folderLoops(graph).map((members) =>
      members.flatMap((from) => members.filter((to) => graph.get(from)?.has(to)).map((to) => `${from} → ${to} (${graph.get(from)!.get(to)![0]})`)),
    );
    expect(loops).toEqual([]);
  });

  it("keeps the ground floor at the bottom", () => {
    const upward = [...GROUND_FLOOR].flatMap((floor) =>
      [...(graph.get(floor)?.entries() ?? [])].filter(([to]) => !GROUND_FLOOR.has(to)).map(([to, files]) => `${floor} → ${to} (${files[0]})`),
    );
    expect(upward).toEqual([]);
  });

  it("sees the imports it checks (a check that finds nothing proves nothing)", () => {
    expect(graph.get("http")?.has("auth")).toBe(true);
    expect(graph.get("ingestion")?.has("uploads")).toBe(true);
    expect(
      folderLoops(
        new Map([
          ["a", new Map([["b", ["x"]]])],
          ["b", new Map([["a", ["y"]]])],
        ]),
      ),
    ).toEqual([["a", "b"]]);
  });
});
