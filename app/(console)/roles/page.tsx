import { PageHeader } from "@/components/ui";
import { ACTION_INFO, ACTIONS, KILL_SWITCH_ACTIONS, ROLES, rolesFor } from "@/lib/auth/permissions";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

/** "Who may do what": the permission matrix itself, read-only, so nobody has to guess before a click. */
export default consolePage({ permission: "console.view" }, ({ user }) => (
  <div className="space-y-4">
    <PageHeader title="Who may do what" />
    <p role="note" className="max-w-4xl rounded border border-slate-300 bg-slate-50 p-2 text-sm text-slate-700">
      <strong>Read-only.</strong> This is the permission matrix the server checks on every request, shown from the same file; nothing here can be changed from
      the console. Roles are given to people on the Admin page. Each action names the seed decision it follows — in the first 30 minutes on-call may PAUSE and
      STOP without declaring a P1, the PM DOCUMENTs, the Support Lead acknowledges partials and runs the runbooks of their scenarios (D10 §8).
    </p>
    <p className="max-w-4xl text-sm text-slate-700">
      A user may hold several roles; yours are <strong>{user.roles.join(", ")}</strong> (highlighted). <span aria-hidden>⚡</span> marks kill-switch privileges,
      which an SRE lead can suspend for a user (D10-05).
    </p>
    <div className="overflow-x-auto">
      <table className="w-full border-collapse bg-white text-sm" aria-label="Permission matrix">
        <thead>
          <tr className="border-b text-left text-slate-600">
            <th scope="col" className="p-2">
              Action
            </th>
            <th scope="col" className="p-2">
              What it lets you do
            </th>
            <th scope="col" className="p-2">
              Seed decision
            </th>
            {ROLES.map((role) => (
              <th key={role} scope="col" className={`p-2 text-center ${user.roles.includes(role) ? "bg-blue-50 text-blue-900" : ""}`}>
                {role}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ACTIONS.map((action) => {
            const allowed = rolesFor(action);
            return (
              <tr key={action} className="border-b">
                <th scope="row" className="p-2 text-left font-mono font-normal">
                  {action}
                  {KILL_SWITCH_ACTIONS.includes(action) && <span title="kill-switch privilege"> ⚡</span>}
                </th>
                <td className="p-2 text-slate-800">{ACTION_INFO[action].description}</td>
                <td className="p-2 text-xs text-slate-600">{ACTION_INFO[action].seed}</td>
                {ROLES.map((role) => (
                  <td
                    key={role}
                    className={`p-2 text-center ${user.roles.includes(role) ? "bg-blue-50" : ""}`}
                    aria-label={`${role} ${allowed.includes(role) ? "may" : "may not"}`}
                  >
                    {allowed.includes(role) ? "✓" : <span className="text-slate-300">·</span>}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  </div>
));
