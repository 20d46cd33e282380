import { ComingSoon } from "@/components/coming-soon";

export default function Page() {
  return <ComingSoon title="Runbooks" issue="issue #6" holds={["Runbooks for D10-01 … D10-10, the D8 procedures and WT-06, with an execution log"]} />;
}
