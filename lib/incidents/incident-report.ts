import type { Queryable } from "@/lib/db/sql";
import { listAcceptedUnknowns } from "./accepted-unknowns";
import { gatherIncidentTimeline, type IncidentTimeline } from "./incident-timeline";
import { getPostmortem, postmortemMarkdown, type Postmortem } from "./postmortems";

export type IncidentReport = { timeline: IncidentTimeline; postmortem: Postmortem | null; markdown: string };

/** The incident page and its Markdown export: the timeline gathered from the data, with the saved written part. */
export async function loadIncidentReport(db: Queryable, input: { incidentId: string; from: Date; to: Date }): Promise<IncidentReport> {
  const [timeline, postmortem, unknowns] = await Promise.all([
    gatherIncidentTimeline(db, input),
    getPostmortem(db, input.incidentId),
    listAcceptedUnknowns(db, { incidentId: input.incidentId, from: input.from, to: input.to }),
  ]);
  return { timeline, postmortem, markdown: postmortemMarkdown(timeline, postmortem, unknowns) };
}
