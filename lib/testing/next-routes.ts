// Next's request storage (headers(), cookies(), hence getServerSession) needs AsyncLocalStorage on
// globalThis before any of its modules load; the Next server sets it up the same way.
import "next/dist/server/node-environment-baseline.js";
import { readdirSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { compilePattern, listenOnLoopback, routeParams, toWebRequest } from "./http";
// Next's own route module (internal, not a public API): what `next start` runs a route.ts through.
import { AppRouteRouteModule } from "next/dist/server/route-modules/app-route/module.js";

process.env.NEXTAUTH_SECRET ??= "test-nextauth-secret-0123456789";

export type AppRouteFile = { file: string; pattern: string; segments: string[] };

/** Every route.ts under app/<under>, with its URL pattern (route groups dropped), as the file system has them. */
export function appRouteFiles(under = "api"): AppRouteFile[] {
  const root = path.resolve("app");
  return (readdirSync(path.join(root, under), { recursive: true }) as string[])
    .filter((f) => path.basename(f) === "route.ts")
    .map((f) => {
      const segments = path
        .join(under, path.dirname(f))
        .split(path.sep)
        .filter((s) => !/^\(.*\)$/.test(s));
      return { file: path.join(root, under, f), pattern: `/${segments.join("/")}`, segments };
    })
    .sort((a, b) => a.pattern.localeCompare(b.pattern));
}

/**
 * A session cookie for a console user, signed the way next-auth signs its own. It carries the
 * session version it was issued under (the user's current one unless told), as sign-in puts it there.
 */
export async function sessionCookie(user: { id: string; email: string; sessionVersion?: number }) {
  const token = await encode({ token: { sub: user.id, email: user.email, sessionVersion: user.sessionVersion ?? 1 }, secret: process.env.NEXTAUTH_SECRET! });
  return `next-auth.session-token=${token}`;
}

/**
 * Serves route files over real HTTP on loopback through Next's own app-route module, so that
 * headers(), cookies() and the next-auth session work as under `next start` (lib/testing/http.ts
 * calls the handlers directly, without Next's request scope).
 */
export async function serveAppRoutes(files: AppRouteFile[]) {
  const routes = await Promise.all(
    files.map(async (f) => {
      const userland = await import(/* @vite-ignore */ f.file);
      const { regex, names } = compilePattern(f.pattern);
      const routeModule = new AppRouteRouteModule({
        userland: () => userland,
        definition: { kind: "APP_ROUTE", page: `${f.pattern}/route`, pathname: f.pattern, filename: "route", bundlePath: `app${f.pattern}/route` },
        distDir: ".next",
        relativeProjectDir: "",
        resolvedPagePath: f.file,
        nextConfigOutput: undefined,
      } as never);
      return { regex, names, routeModule };
    }),
  );
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const route = routes.find((r) => r.regex.test(url.pathname));
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const params = routeParams(route, url.pathname);
    const request = toWebRequest(req, url, NextRequest);
    try {
      const response: Response = await route.routeModule.handle(request, {
        params,
        prerenderManifest: { version: 4, routes: {}, dynamicRoutes: {}, notFoundRoutes: [], preview: {} },
        renderOpts: { experimental: {}, supportsDynamicResponse: true },
        sharedContext: { buildId: "test" },
      } as never);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(599, { "content-type": "text/plain" }).end(String(error));
    }
    req.resume();
  });
  return listenOnLoopback(server);
}
