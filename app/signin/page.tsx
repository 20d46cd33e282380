import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { SignInForm } from "@/components/sign-in-form";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; callbackUrl?: string }> }) {
  if (await getCurrentUser()) redirect("/");
  const { error, callbackUrl } = await searchParams;
  const sso = env().OIDC_ISSUER ? env().OIDC_NAME : null;
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">Ingestion Ops Console</h1>
        <p className="mt-1 text-sm text-slate-600">Sign in to triage and operate the ingestion pipeline.</p>
        <SignInForm error={error} callbackUrl={callbackUrl ?? "/"} ssoName={sso} />
      </div>
    </main>
  );
}
