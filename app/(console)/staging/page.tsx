import { ComingSoon } from "@/components/coming-soon";

export default function Page() {
  return <ComingSoon title="Staging" issue="issue #4" holds={["The staging backlog by upload, status and age against the D10-08 thresholds", "Cleanup with a dry-run preview, requested by one person and approved by another"]} />;
}
