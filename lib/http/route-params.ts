import { parseUuid } from "@/lib/db/ids";

/**
 * Every id in a route's path is a UUID: a malformed one answers 404 before anything reads the body or
 * asks the database (where it would be an "invalid input syntax for type uuid" 500). Other segments
 * (a GA line, a slug) pass through for the handler to check.
 */
export function parseRouteIds(params: Record<string, string>, what = "record"): Record<string, string> {
  const label = what.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
  const parsed = { ...params };
  for (const [name, value] of Object.entries(params)) {
    if (name === "id" || name.endsWith("Id")) parsed[name] = parseUuid(value, label);
  }
  return parsed;
}
