import type { Queryable } from "@/lib/db/sql";
import { gatherIncidentTimeline, type IncidentTimeline } from "./incident-timeline";
import { getPostmortem, postmortemMarkdown, type Postmortem } from "./postmortems";

export type IncidentReport = { timeline: IncidentTimeline; postmortem: Postmortem | null; markdown: string };

/** The incident page and its Markdown export: the timeline gathered from the data, with the saved written part. */
export async function loadIncidentReport(db: Queryable, input: { incidentId: string; from: Date; to: Date }): Promise<IncidentReport> {
  const [timeline, postmortem] = await Promise.all([gatherIncidentTimeline(db, input), getPostmortem(db, input.incidentId)]);
  return { timeline, postmortem, markdown: postmortemMarkdown(timeline, postmortem) };
}
