import { NextResponse, type NextRequest } from "next/server";
import { PATH_HEADER } from "@/lib/auth/safe-redirect";
import { pageCsp } from "@/lib/http/security-headers";

/**
 * Pages only (see the matcher): a fresh CSP nonce per request, which Next puts on its own scripts,
 * and the path the browser asked for, so a signed-out page can send the user back after sign-in.
 * Redirects and headers only — authorization happens in each page (consolePage) and route.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  // The sign-in page's SSO form ends in a redirect to the identity provider.
  const formTargets = request.nextUrl.pathname === "/signin" && process.env.OIDC_ISSUER ? [new URL(process.env.OIDC_ISSUER).origin] : [];
  const csp = pageCsp(nonce, { dev: process.env.NODE_ENV === "development", formTargets });
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  headers.set(PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  // Never API routes (a proxy that matches a route makes Next buffer its request body: uploads
  // stream), nor static assets.
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico|health|ready).*)" }],
};
