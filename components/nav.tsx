"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const ITEMS = [
  ["/", "Overview"],
  ["/uploads", "Uploads"],
  ["/staging", "Staging"],
  ["/breakers", "Breakers"],
  ["/controls", "Controls"],
  ["/alerts", "Alerts"],
  ["/oncall", "On-call"],
  ["/launch", "Launch"],
  ["/ga", "GA sign-off"],
  ["/runbooks", "Runbooks"],
  ["/incidents", "Incidents"],
  ["/audit", "Audit"],
  ["/roles", "Roles"],
  // Shown to everyone: the page itself answers 403 to those without users.manage.
  ["/admin", "Admin"],
] as const;

export function Nav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Console" className="flex flex-wrap gap-1">
      {ITEMS.map(([href, label]) => {
        const active = href === "/" ? pathname === "/" : pathname.startsWith(href);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? "page" : undefined}
            className={`rounded px-3 py-1.5 text-sm ${active ? "bg-white/15 font-semibold text-white" : "text-slate-300 hover:bg-white/10 hover:text-white"}`}
          >
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
