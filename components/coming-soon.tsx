/** An honest placeholder for a console page whose feature has not been built yet. */
export function ComingSoon({ title, holds, issue }: { title: string; holds: string[]; issue: string }) {
  return (
    <section className="max-w-3xl">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <div className="mt-4 rounded-lg border border-dashed border-slate-300 bg-white p-5">
        <p className="font-medium">Not built yet ({issue}). This page will hold:</p>
        <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
          {holds.map((h) => (
            <li key={h}>{h}</li>
          ))}
        </ul>
      </div>
    </section>
  );
}
