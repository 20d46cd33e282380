"use client";

import { ResponsiveContainer } from "recharts";

/**
 * A titled chart panel that sizes its recharts chart to the card. With `empty` set (there is nothing to
 * plot), the card says so in words instead of drawing bare axes that look like "all zero".
 */
export function ChartCard({
  title,
  children,
  height = "h-56",
  empty,
}: {
  title: string;
  children: React.ReactElement;
  height?: string;
  empty?: string | null;
}) {
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3">
      <figcaption className="mb-2 text-sm font-medium text-slate-700">{title}</figcaption>
      <div className={height}>
        {empty ? (
          <p
            data-testid="chart-empty"
            className="flex h-full items-center justify-center rounded border border-dashed border-slate-300 bg-slate-50 px-4 text-center text-sm text-slate-600"
          >
            {empty}
          </p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            {children}
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  );
}
