import { AppError } from "@/lib/errors";
import { SIGN_IN_THROTTLE } from "./sign-in-throttle";

/**
 * What a failed sign-in tells the sign-in page. next-auth carries it in the `error` query parameter, which
 * anyone can write into a link, so the page shows only the messages below, chosen by code; the one
 * parameter it reads from the value is a whole number of minutes, capped at the throttle's window.
 */
const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  OidcEmailUnverified:
    "Your identity provider has not verified the email address of this SSO account, so it cannot be linked to a console user. Verify it with your provider, or ask an admin.",
  OidcNoAccount: "Your SSO account has no access to this console; ask an admin to add you.",
  AccessDenied: "Your SSO account has no access to this console; ask an admin to add you.",
  OidcAlreadyLinked: "This console user is already linked to a different SSO account; ask an admin.",
  OAuthSignin: "Single sign-on could not start. Try again, or sign in with your password.",
  OAuthCallback: "Single sign-on did not complete. Try again, or sign in with your password.",
  Callback: "Single sign-on did not complete. Try again, or sign in with your password.",
  SessionRequired: "Sign in to continue.",
  CookiesRequired: "Your browser must accept cookies from this site to sign in.",
};

const THROTTLED = /^SignInThrottled:(\d{1,4})$/;

const APP_ERROR_CODES: Record<string, string> = {
  OIDC_EMAIL_UNVERIFIED: "OidcEmailUnverified",
  OIDC_NO_ACCOUNT: "OidcNoAccount",
  OIDC_ALREADY_LINKED: "OidcAlreadyLinked",
};

/** The `error` parameter for a refused sign-in (never the error's own text). */
export function signInErrorParam(error: unknown): string {
  if (error instanceof AppError) {
    if (error.code === "SIGN_IN_THROTTLED") return `SignInThrottled:${Math.ceil((error.details?.retryAfterSeconds ?? SIGN_IN_THROTTLE.windowSeconds) / 60)}`;
    if (APP_ERROR_CODES[error.code]) return APP_ERROR_CODES[error.code];
  }
  return "Callback";
}

/** The message for an `error` parameter; null when there is none. Unknown values get a generic message. */
export function signInErrorMessage(param: string | undefined): string | null {
  if (!param) return null;
  const throttled = THROTTLED.exec(param);
  if (throttled) {
    const minutes = Math.min(Math.max(Number(throttled[1]), 1), Math.ceil(SIGN_IN_THROTTLE.windowSeconds / 60));
    return `Too many failed sign-ins for this account or from your network. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  return Object.hasOwn(MESSAGES, param) ? MESSAGES[param] : "Sign-in failed. Try again.";
}
