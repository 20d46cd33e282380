import { ComingSoon } from "@/components/coming-soon";

export default function Page() {
  return <ComingSoon title="Alerts" issue="issue #5" holds={["Open, acknowledged and resolved alerts with scenario, owner role and runbook link", "Partial-promotion alerts for the Support Lead"]} />;
}
