import Link from "next/link";

/** Rendered with status 403 when a page's permission check (consolePage) refuses the signed-in user. */
export default function Forbidden() {
  return (
    <main className="mx-auto max-w-xl p-10" data-testid="forbidden">
      <h1 className="text-2xl font-semibold text-red-700">Not allowed (403)</h1>
      <p className="mt-3">
        Your roles do not include the permission this page needs;{" "}
        <Link className="text-blue-700 underline" href="/roles">
          Who may do what
        </Link>{" "}
        lists every action and the roles that may do it. Ask an admin if you need more access.
      </p>
      <p className="mt-3">
        <Link className="text-blue-700 underline" href="/">
          Back to the overview
        </Link>
      </p>
    </main>
  );
}
