import http from "node:http";
import { Readable } from "node:stream";
import type { AddressInfo } from "node:net";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Route = { method: string; pattern: string; handler: Handler };

/**
 * Serves route handlers over real HTTP on loopback (streamed request bodies, real status codes and
 * headers), so API tests exercise the same handlers Next.js serves without a Next build.
 */
export async function serveRoutes(routes: Route[]) {
  const compiled = routes.map((r) => {
    const names: string[] = [];
    const regex = new RegExp(`^${r.pattern.replace(/\[(\w+)\]/g, (_m, name) => (names.push(name), "([^/]+)"))}$`);
    return { ...r, regex, names };
  });
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const route = compiled.find((r) => r.method === req.method && r.regex.test(url.pathname));
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const match = url.pathname.match(route.regex)!;
    const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match[i + 1])]));
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(url, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
      duplex: "half",
    } as RequestInit);
    const response = await route.handler(request, { params: Promise.resolve(params) });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
