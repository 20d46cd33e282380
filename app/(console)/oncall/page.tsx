import { OncallRoster } from "@/components/oncall-roster";
import { decide } from "@/lib/auth/permissions";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";
import { rosterView } from "@/lib/roster/roster";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user }) => (
  <OncallRoster initial={JSON.parse(JSON.stringify(await rosterView(pool())))} canEdit={decide(user, "roster.edit")} />
));
