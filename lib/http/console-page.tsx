import "server-only";
import { headers } from "next/headers";
import { forbidden, notFound, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { can, type Action } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { PATH_HEADER, safeCallbackPath } from "@/lib/auth/safe-redirect";

type SearchParams = Record<string, string | string[] | undefined>;
type PageProps = { params: Promise<Record<string, string>>; searchParams: Promise<SearchParams> };
export type PageContext = { user: CurrentUser; params: Record<string, string>; searchParams: SearchParams };

/**
 * Every console page is one of these: it reads the signed-in user, checks one permission of the
 * matrix and only then renders. A layout is not an authorization boundary (a client navigation
 * renders the page segment without its layout), so the page checks for itself. Signed out → the
 * sign-in page (back here afterwards); not allowed → 403 (app/forbidden.tsx); a domain 404 → not found.
 */
export function consolePage(options: { permission: Action }, render: (ctx: PageContext) => Promise<ReactNode> | ReactNode) {
  return async function ConsolePage(props: PageProps) {
    const user = await getCurrentUser();
    if (!user) {
      const back = safeCallbackPath((await headers()).get(PATH_HEADER));
      redirect(back === "/" ? "/signin" : `/signin?callbackUrl=${encodeURIComponent(back)}`);
    }
    if (!can(user, options.permission)) forbidden();
    const [params, searchParams] = await Promise.all([props.params, props.searchParams]);
    try {
      return await render({ user, params: params ?? {}, searchParams: searchParams ?? {} });
    } catch (error) {
      if (error instanceof AppError && error.status === 404) notFound();
      throw error;
    }
  };
}
