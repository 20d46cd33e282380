/**
 * The page Content-Security-Policy, set by proxy.ts with a fresh script nonce per request (Next puts
 * the nonce on its own scripts). The headers every response carries, API included, are in
 * next.config.mjs.
 */

/**
 * Pages: scripts only from this origin or carrying this request's nonce; never framed. `formTargets`
 * are other origins a form may post to or be redirected to (the sign-in page's SSO form is answered
 * with a redirect to the identity provider, which form-action governs too).
 */
export function pageCsp(nonce: string, { dev = false, formTargets = [] as string[] } = {}): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic' lets Next's nonce'd bootstrap load its chunks; dev's React Refresh needs eval.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes come from React/recharts; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    ["form-action 'self'", ...formTargets].join(" "),
    "frame-ancestors 'none'",
  ].join("; ");
}
