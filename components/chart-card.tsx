"use client";

import { ResponsiveContainer } from "recharts";

/** A titled chart panel that sizes its recharts chart to the card. */
export function ChartCard({ title, children, height = "h-56" }: { title: string; children: React.ReactElement; height?: string }) {
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3">
      <figcaption className="mb-2 text-sm font-medium text-slate-700">{title}</figcaption>
      <div className={height}>
        <ResponsiveContainer width="100%" height="100%">
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
