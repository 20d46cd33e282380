import { getCurrentUser } from "@/lib/auth/session";
import { pool } from "@/lib/db/client";
import { pendingMigrationsUntilCurrent } from "@/lib/db/readiness";
import { Nav } from "@/components/nav";
import { Providers } from "@/components/providers";
import { SignOutButton } from "@/components/sign-out-button";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const pending = await pendingMigrationsUntilCurrent(pool());
  if (pending.length) {
    return (
      <main className="mx-auto max-w-2xl p-10">
        <h1 className="text-2xl font-semibold text-red-700">Database migrations are pending</h1>
        <p className="mt-3">
          The console refuses to serve pages until the schema is current. Run <code>npm run db:migrate</code>, then reload.
        </p>
        <ul className="mt-3 list-disc pl-6 font-mono text-sm">
          {pending.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      </main>
    );
  }
  // Not an authorization boundary: each page checks for itself (consolePage) and sends a signed-out
  // visitor to sign-in with the way back; the layout only leaves out its chrome.
  const user = await getCurrentUser();
  if (!user) return <>{children}</>;
  return (
    <Providers>
      <header className="bg-slate-900 text-white">
        <div className="mx-auto flex max-w-[1400px] flex-wrap items-center gap-4 px-4 py-2">
          <span className="font-semibold">Ingestion Ops</span>
          <Nav />
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span data-testid="current-user">
              {user.email} <span className="text-slate-400">({user.roles.join(", ")})</span>
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-[1400px] p-4">{children}</main>
    </Providers>
  );
}
