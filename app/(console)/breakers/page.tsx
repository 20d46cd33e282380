import { ComingSoon } from "@/components/coming-soon";

export default function Page() {
  return <ComingSoon title="Circuit breakers" issue="issue #5" holds={["Each breaker’s state, failure count, last error, opened-at and next probe, with its history"]} />;
}
