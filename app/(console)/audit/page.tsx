import { ComingSoon } from "@/components/coming-soon";

export default function Page() {
  return <ComingSoon title="Audit log" issue="issue #4" holds={["Every operator action and refused attempt: actor, roles, action, target, reason, incident ID, before, after, UTC time"]} />;
}
