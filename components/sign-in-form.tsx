/**
 * Plain HTML forms posted straight to next-auth, so that signing in works before (and without) the
 * page's JavaScript: an early Enter posts the password in the body, never in a URL.
 */
export function SignInForm({
  csrfToken,
  callbackUrl,
  message,
  ssoName,
}: {
  csrfToken: string;
  callbackUrl: string;
  message: string | null;
  ssoName: string | null;
}) {
  const hidden = (
    <>
      <input type="hidden" name="csrfToken" value={csrfToken} />
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
    </>
  );
  return (
    <div className="mt-6 space-y-4">
      <form method="post" action="/api/auth/callback/credentials" className="space-y-4">
        {hidden}
        <label className="block text-sm font-medium">
          Email
          <input name="email" type="email" required autoComplete="username" autoFocus className="mt-1 w-full rounded border border-slate-300 px-3 py-2" />
        </label>
        <label className="block text-sm font-medium">
          Password
          <input name="password" type="password" required autoComplete="current-password" className="mt-1 w-full rounded border border-slate-300 px-3 py-2" />
        </label>
        {message && (
          <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
            {message}
          </p>
        )}
        <button type="submit" className="w-full rounded bg-slate-900 px-3 py-2 font-medium text-white">
          Sign in
        </button>
      </form>
      {ssoName && (
        <form method="post" action="/api/auth/signin/oidc">
          {hidden}
          <button type="submit" className="w-full rounded border border-slate-300 px-3 py-2 font-medium">
            Sign in with {ssoName}
          </button>
        </form>
      )}
    </div>
  );
}
