"use client";

export function GaPrintButton() {
  return (
    <button type="button" onClick={() => window.print()} className="rounded bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white print:hidden">
      Print
    </button>
  );
}
