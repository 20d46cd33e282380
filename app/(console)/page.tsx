import { ComingSoon } from "@/components/coming-soon";

export default function OverviewPage() {
  return (
    <ComingSoon
      title="Overview"
      issue="issue #4"
      holds={[
        "What is red right now: error rate, staging backlog, breakers, stuck uploads, kill-switch mode, data freshness",
        "Uploads per hour by status, error rate and backlog over time, p50/p99 upload duration",
      ]}
    />
  );
}
