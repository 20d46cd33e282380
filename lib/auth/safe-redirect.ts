/** Set by proxy.ts on every page request: the path (and query) the browser asked for. */
export const PATH_HEADER = "x-console-path";

/**
 * A redirect target taken from a request (callbackUrl, the path a signed-out user wanted): only a
 * same-origin absolute path survives. `javascript:…`, `https://elsewhere`, `//elsewhere`, `/\elsewhere`
 * and anything with control characters become "/".
 */
export function safeCallbackPath(raw: string | null | undefined, origin?: string): string {
  if (!raw) return "/";
  let candidate = raw.trim();
  if (origin && /^https?:\/\//i.test(candidate)) {
    try {
      const url = new URL(candidate);
      if (url.origin !== new URL(origin).origin) return "/";
      candidate = `${url.pathname}${url.search}${url.hash}`;
    } catch {
      return "/";
    }
  }
  if (!candidate.startsWith("/") || candidate.startsWith("//") || candidate.includes("\\") || /[\u0000-\u001f\u007f]/.test(candidate)) return "/";
  try {
    // What the browser would resolve it to must stay on this origin.
    const resolved = new URL(candidate, "http://console.invalid");
    if (resolved.origin !== "http://console.invalid") return "/";
    return `${resolved.pathname}${resolved.search}${resolved.hash}`;
  } catch {
    return "/";
  }
}
