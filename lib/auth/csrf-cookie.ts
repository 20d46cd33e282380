import { createHash } from "node:crypto";

/**
 * next-auth 4 checks sign-in posts with a double-submit token: its csrf cookie holds
 * `token|sha256(token + secret)` and the form must post the same `token` as `csrfToken`. The sign-in
 * page reads the token from the cookie so that the form carries it in its first HTML, before any
 * JavaScript runs. These are next-auth's cookie names, with and without secure cookies.
 */
export const CSRF_COOKIE_NAMES = ["__Host-next-auth.csrf-token", "next-auth.csrf-token"] as const;
export const CALLBACK_COOKIE_NAMES = ["__Secure-next-auth.callback-url", "next-auth.callback-url"] as const;

/** The token of a csrf cookie that next-auth will accept (its hash matches the secret), else null. */
export function csrfTokenFromCookie(value: string | undefined, secret: string | undefined): string | null {
  const [token, hash] = value?.split("|") ?? [];
  if (!token || !hash) return null;
  if (secret && createHash("sha256").update(`${token}${secret}`).digest("hex") !== hash) return null;
  return token;
}
