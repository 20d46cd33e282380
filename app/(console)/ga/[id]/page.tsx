import Link from "next/link";
import { GaSignoffForm } from "@/components/ga-signoff-form";
import { pool } from "@/lib/db/client";
import { gaPermissions } from "@/lib/ga/ga-rules";
import { getGaSignoffOrThrow } from "@/lib/ga/ga-signoffs";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user, params }) => {
  const form = await getGaSignoffOrThrow(pool(), params.id);
  return (
    <div className="space-y-3">
      <Link href="/ga" className="text-sm text-blue-700 underline">
        ← GA sign-off
      </Link>
      <GaSignoffForm initial={JSON.parse(JSON.stringify(form))} permissions={gaPermissions(user)} me={user.email} />
    </div>
  );
});
