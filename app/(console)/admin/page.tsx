import { AdminKeys } from "@/components/admin-keys";
import { AdminUsers } from "@/components/admin-users";
import { PageHeader } from "@/components/ui";
import { apiKeysByWorkspace } from "@/lib/auth/api-keys";
import { listUsers } from "@/lib/auth/users";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

const plain = <T,>(value: T): T => JSON.parse(JSON.stringify(value));

export default consolePage({ permission: "users.manage" }, async ({ user, searchParams }) => {
  const workspace = typeof searchParams.workspace === "string" && searchParams.workspace.trim() ? searchParams.workspace.trim() : null;
  const [users, keys] = await Promise.all([listUsers(pool()), apiKeysByWorkspace(pool(), { workspace })]);
  return (
    <div className="space-y-5">
      <PageHeader title="Admin" />
      <AdminUsers initial={plain(users)} currentUserId={user.id} />
      <AdminKeys initial={plain(keys)} workspace={workspace} />
    </div>
  );
});
