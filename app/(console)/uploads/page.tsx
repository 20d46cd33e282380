import { ComingSoon } from "@/components/coming-soon";

export default function Page() {
  return <ComingSoon title="Uploads" issue="issue #4" holds={["A server-side paginated, filterable, sortable table of uploads with shareable URL filters", "Upload detail: state timeline, row ledger, invalid records by rule, lineage and allowed actions"]} />;
}
