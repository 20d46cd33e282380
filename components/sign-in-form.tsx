"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

const messages: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  AccessDenied: "Your SSO account has no access to this console; ask an admin to add you.",
};

export function SignInForm({ error, callbackUrl, ssoName }: { error?: string; callbackUrl: string; ssoName: string | null }) {
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState(error ? (messages[error] ?? "Sign-in failed.") : null);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setMessage(null);
    const result = await signIn("credentials", { email: form.get("email"), password: form.get("password"), redirect: false, callbackUrl });
    setPending(false);
    if (result?.ok && !result.error) window.location.assign(callbackUrl);
    else setMessage(messages[result?.error ?? ""] ?? "Sign-in failed.");
  }

  return (
    <form onSubmit={onSubmit} className="mt-6 space-y-4">
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
      <button type="submit" disabled={pending} className="w-full rounded bg-slate-900 px-3 py-2 font-medium text-white disabled:opacity-60">
        {pending ? "Signing in…" : "Sign in"}
      </button>
      {ssoName && (
        <button type="button" onClick={() => signIn("oidc", { callbackUrl })} className="w-full rounded border border-slate-300 px-3 py-2 font-medium">
          Sign in with {ssoName}
        </button>
      )}
    </form>
  );
}
