import { ComingSoon } from "@/components/coming-soon";

export default function Page() {
  return <ComingSoon title="GA sign-off" issue="issue #6" holds={["The D8 §6 figures for a 7-day window with targets and trends", "Approval lines for Engineering Lead, PM and SRE Lead; signed snapshots"]} />;
}
