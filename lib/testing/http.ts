import http from "node:http";
import { Readable } from "node:stream";
import type { AddressInfo } from "node:net";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Route = { method: string; pattern: string; handler: Handler };

/** A route pattern like /api/v1/uploads/[id] as a regular expression and its parameter names. */
export function compilePattern(pattern: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const regex = new RegExp(`^${pattern.replace(/\[(\w+)\]/g, (_m, name) => (names.push(name), "([^/]+)"))}$`);
  return { regex, names };
}

/** The route parameters of a path that matches the compiled pattern. */
export function routeParams(route: { regex: RegExp; names: string[] }, pathname: string): Record<string, string> {
  const match = pathname.match(route.regex)!;
  return Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match[i + 1])]));
}

/** The incoming message as a fetch Request (or NextRequest), its body streamed, not buffered. */
export function toWebRequest<R extends Request>(req: http.IncomingMessage, url: URL, Kind: new (url: URL, init: never) => R): R {
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Kind(url, {
    method: req.method,
    headers: req.headers as Record<string, string>,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    duplex: "half",
  } as RequestInit as never);
}

/** Listens on a free loopback port; returns its URL and a close function. */
export async function listenOnLoopback(server: http.Server) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * Serves route handlers over real HTTP on loopback (streamed request bodies, real status codes and
 * headers), so API tests exercise the same handlers Next.js serves without a Next build.
 */
export async function serveRoutes(routes: Route[]) {
  const compiled = routes.map((r) => ({ ...r, ...compilePattern(r.pattern) }));
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const route = compiled.find((r) => r.method === req.method && r.regex.test(url.pathname));
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const response = await route.handler(toWebRequest(req, url, Request), { params: Promise.resolve(routeParams(route, url.pathname)) });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
    req.resume();
  });
  return listenOnLoopback(server);
}
