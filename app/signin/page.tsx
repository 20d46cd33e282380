import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";
import { CALLBACK_COOKIE_NAMES, CSRF_COOKIE_NAMES, csrfTokenFromCookie } from "@/lib/auth/csrf-cookie";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { env } from "@/lib/env";
import { safeCallbackPath } from "@/lib/auth/safe-redirect";
import { SignInForm } from "@/components/sign-in-form";

export const dynamic = "force-dynamic";

type SearchParams = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

// Marks the one round trip through next-auth that sets its csrf cookie; seen again without the cookie,
// it means the browser refuses cookies (and the page says so instead of redirecting forever).
const COOKIE_ROUND_TRIP = "CookiesRequired";

/** The origin next-auth builds its callback URLs from (NEXTAUTH_URL, else the request's host). */
async function consoleOrigin(): Promise<string> {
  if (env().NEXTAUTH_URL) return new URL(env().NEXTAUTH_URL!).origin;
  const h = await headers();
  return `${h.get("x-forwarded-proto") ?? "http"}://${h.get("x-forwarded-host") ?? h.get("host")}`;
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const error = first(params.error);
  const jar = await cookies();
  const cookie = (names: readonly string[]) => names.map((name) => jar.get(name)?.value).find(Boolean);
  // next-auth keeps the callback URL in a cookie across its own redirects (e.g. back here after an error).
  const callbackPath = safeCallbackPath(first(params.callbackUrl) ?? cookie(CALLBACK_COOKIE_NAMES), await consoleOrigin());
  if (await getCurrentUser()) redirect(callbackPath);

  const csrfToken = csrfTokenFromCookie(cookie(CSRF_COOKIE_NAMES), env().NEXTAUTH_SECRET);
  const here = (extra: Record<string, string> = {}) => new URLSearchParams({ callbackUrl: callbackPath, ...extra }).toString();
  // The round trip carries the error the page was opened with (`CookiesRequired.<code>`), so its message survives.
  const roundTrip = error === COOKIE_ROUND_TRIP || error?.startsWith(`${COOKIE_ROUND_TRIP}.`);
  if (!csrfToken && !roundTrip) redirect(`/api/auth/signin?${here({ error: error ? `${COOKIE_ROUND_TRIP}.${error}` : COOKIE_ROUND_TRIP })}`);
  if (csrfToken && roundTrip) {
    const original = error!.slice(COOKIE_ROUND_TRIP.length + 1);
    redirect(`/signin?${here(original ? { error: original } : {})}`);
  }

  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">Ingestion Ops Console</h1>
        <p className="mt-1 text-sm text-slate-600">Sign in to triage and operate the ingestion pipeline.</p>
        {csrfToken ? (
          <SignInForm
            csrfToken={csrfToken}
            callbackUrl={callbackPath}
            message={signInErrorMessage(error)}
            ssoName={env().OIDC_ISSUER ? env().OIDC_NAME : null}
          />
        ) : (
          <p role="alert" className="mt-6 rounded bg-red-50 px-3 py-2 text-sm text-red-800">
            {signInErrorMessage(COOKIE_ROUND_TRIP)}
          </p>
        )}
      </div>
    </main>
  );
}
