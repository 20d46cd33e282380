import type pg from "pg";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Actor } from "@/lib/auth/actor";
import { can, isRole } from "@/lib/auth/permissions";
import { parseUuid } from "@/lib/db/ids";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { badRequest, conflict, notFound } from "@/lib/errors";
import type { ShiftInput } from "./roster.schema";
import type { OncallShiftsRow } from "@/lib/db/rows";

/**
 * The on-call roster (D10-06): for each period a primary and a secondary. Escalation reads who is
 * secondary at the moment an alert goes unacknowledged; the SRE lead edits it, every change audited.
 */

export type Person = { id: string; email: string; name: string | null; slackUserId: string | null };
export type Shift = { id: string; startsAt: Date; endsAt: Date; primary: Person; secondary: Person; updatedBy: string; updatedAt: Date; version: number };

const PERSON = (alias: string) => `json_build_object('id', ${alias}.id, 'email', ${alias}.email, 'name', ${alias}.name, 'slackUserId', ${alias}.slack_user_id)`;
const SHIFT_SELECT = `SELECT s.*, ${PERSON("p")} AS primary_person, ${PERSON("q")} AS secondary_person
  FROM oncall_shifts s JOIN users p ON p.id = s.primary_id JOIN users q ON q.id = s.secondary_id`;

function toShift(r: OncallShiftsRow & { primary_person: Shift["primary"]; secondary_person: Shift["secondary"] }): Shift {
  return {
    id: r.id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    primary: r.primary_person,
    secondary: r.secondary_person,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

/** Shifts that end after `from` (default: a week ago), in order. */
export async function listShifts(db: Queryable, options: { now?: Date; limit?: number } = {}): Promise<Shift[]> {
  const now = options.now ?? new Date();
  const { rows } = await db.query(`${SHIFT_SELECT} WHERE s.ends_at > $1::timestamptz - interval '7 days' ORDER BY s.starts_at LIMIT $2`, [
    now,
    options.limit ?? 200,
  ]);
  return rows.map(toShift);
}

/** Who is on call at `at`: the shift covering it, or null when the roster has a gap. */
export async function onCallAt(db: Queryable, at: Date): Promise<Shift | null> {
  const { rows } = await db.query(`${SHIFT_SELECT} WHERE s.starts_at <= $1 AND s.ends_at > $1 ORDER BY s.starts_at DESC LIMIT 1`, [at]);
  return rows[0] ? toShift(rows[0]) : null;
}

/** People who may be on call: active users whose roles may drain ingestion (on-call, SRE lead, ingestion owner, admin). */
export async function rosterCandidates(db: Queryable): Promise<(Person & { roles: string[] })[]> {
  const { rows } = await db.query<{ id: string; email: string; name: string | null; slack_user_id: string | null; roles: string[] }>(
    `SELECT id, email, name, slack_user_id, roles::text[] AS roles FROM users WHERE disabled_at IS NULL ORDER BY email`,
  );
  return rows
    .filter((r) => can({ roles: r.roles.filter(isRole) }, "controls.drain"))
    .map((r) => ({ id: r.id, email: r.email, name: r.name, slackUserId: r.slack_user_id, roles: r.roles }));
}

/** The PMs to inform of an escalation (D10-06 "Notify PM"): every active user with the pm role. */
export async function productManagers(db: Queryable): Promise<Person[]> {
  const { rows } = await db.query(
    `SELECT id, email, name, slack_user_id AS "slackUserId" FROM users WHERE disabled_at IS NULL AND 'pm' = ANY(roles) ORDER BY email`,
  );
  return rows;
}

async function checkShift(client: pg.PoolClient, input: ShiftInput, excludeId: string | null) {
  if (input.endsAt <= input.startsAt) throw badRequest("A shift must end after it starts.", "BAD_SHIFT");
  if (input.endsAt.getTime() - input.startsAt.getTime() > 31 * 86_400_000) throw badRequest("A shift is at most 31 days.", "BAD_SHIFT");
  if (input.primaryId === input.secondaryId)
    throw badRequest("The secondary must be someone other than the primary: they are who an unanswered page goes to next.", "BAD_SHIFT");
  const candidates = new Map((await rosterCandidates(client)).map((c) => [c.id, c]));
  for (const [label, id] of [
    ["primary", input.primaryId],
    ["secondary", input.secondaryId],
  ] as const) {
    if (!candidates.has(id))
      throw badRequest(`The ${label} must be an active user who may act on an alert (on-call, SRE lead, ingestion owner or admin).`, "BAD_SHIFT");
  }
  // One shift at a time: an overlap would leave "who is secondary now" to chance.
  const overlap = await client.query<{ id: string; starts_at: Date; ends_at: Date }>(
    `SELECT id, starts_at, ends_at FROM oncall_shifts WHERE starts_at < $2 AND ends_at > $1 AND ($3::uuid IS NULL OR id <> $3) ORDER BY starts_at LIMIT 1`,
    [input.startsAt, input.endsAt, excludeId],
  );
  if (overlap.rows[0]) {
    const o = overlap.rows[0];
    throw conflict(`This period overlaps the shift ${o.starts_at.toISOString()} → ${o.ends_at.toISOString()}; change that one first.`, "SHIFT_OVERLAP");
  }
  return { primary: candidates.get(input.primaryId)!, secondary: candidates.get(input.secondaryId)! };
}

const describe = (s: { startsAt: Date; endsAt: Date }, people: { primary: Person; secondary: Person }) => ({
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
  primary: people.primary.email,
  secondary: people.secondary.email,
});

// Roster edits serialize on one lock so two overlapping shifts cannot both pass the overlap check.
const lockRoster = (client: pg.PoolClient) => client.query(`SELECT pg_advisory_xact_lock(hashtext('oncall_roster'))`);

export async function createShift(pool: pg.Pool, actor: Actor, input: ShiftInput): Promise<Shift> {
  return withTransaction(pool, async (client) => {
    await lockRoster(client);
    const people = await checkShift(client, input, null);
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO oncall_shifts (id, starts_at, ends_at, primary_id, secondary_id, created_by, updated_by) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $5) RETURNING id`,
      [input.startsAt, input.endsAt, input.primaryId, input.secondaryId, actor.email],
    );
    await recordAudit(client, {
      actor,
      action: "roster.shift_create",
      targetType: "oncall_shift",
      targetId: rows[0].id,
      after: describe(input, people),
      outcome: "ok",
    });
    return shiftOrThrow(client, rows[0].id);
  });
}

async function shiftOrThrow(db: Queryable, id: string): Promise<Shift> {
  const { rows } = await db.query(`${SHIFT_SELECT} WHERE s.id = $1`, [parseUuid(id, `Shift ${id}`)]);
  if (!rows[0]) throw notFound(`Shift ${id}`);
  return toShift(rows[0]);
}

/** Changes a shift, compare-and-set on the version the editor saw. */
export async function updateShift(pool: pg.Pool, actor: Actor, id: string, input: ShiftInput & { expectedVersion: number }): Promise<Shift> {
  return withTransaction(pool, async (client) => {
    await lockRoster(client);
    const before = await shiftOrThrow(client, id);
    const people = await checkShift(client, input, before.id);
    const { rowCount } = await client.query(
      `UPDATE oncall_shifts SET starts_at = $3, ends_at = $4, primary_id = $5, secondary_id = $6, updated_by = $7, updated_at = now(), version = version + 1
        WHERE id = $1 AND version = $2`,
      [before.id, input.expectedVersion, input.startsAt, input.endsAt, input.primaryId, input.secondaryId, actor.email],
    );
    if (!rowCount)
      throw conflict(`${before.updatedBy} changed this shift at ${before.updatedAt.toISOString()} since you loaded it. Reload and edit again.`, "STALE_SHIFT");
    await recordAudit(client, {
      actor,
      action: "roster.shift_update",
      targetType: "oncall_shift",
      targetId: before.id,
      before: describe(before, before),
      after: describe(input, people),
      outcome: "ok",
    });
    return shiftOrThrow(client, before.id);
  });
}

export async function deleteShift(pool: pg.Pool, actor: Actor, id: string, expectedVersion: number): Promise<{ deleted: string }> {
  return withTransaction(pool, async (client) => {
    const before = await shiftOrThrow(client, id);
    const { rowCount } = await client.query(`DELETE FROM oncall_shifts WHERE id = $1 AND version = $2`, [before.id, expectedVersion]);
    if (!rowCount)
      throw conflict(`${before.updatedBy} changed this shift at ${before.updatedAt.toISOString()} since you loaded it. Reload first.`, "STALE_SHIFT");
    await recordAudit(client, {
      actor,
      action: "roster.shift_delete",
      targetType: "oncall_shift",
      targetId: before.id,
      before: describe(before, before),
      outcome: "ok",
    });
    return { deleted: before.id };
  });
}

/** Sets (or clears, with "") the Slack member ID an escalation mentions the person by. */
export async function setSlackUserId(pool: pg.Pool, actor: Actor, userId: string, slackUserId: string): Promise<Person> {
  return withTransaction(pool, async (client) => {
    const { rows: before } = await client.query<{ email: string; slack_user_id: string | null }>(
      `SELECT email, slack_user_id FROM users WHERE id = $1 FOR UPDATE`,
      [parseUuid(userId, `User ${userId}`)],
    );
    if (!before[0]) throw notFound(`User ${userId}`);
    const { rows } = await client.query(`UPDATE users SET slack_user_id = $2 WHERE id = $1 RETURNING id, email, name, slack_user_id AS "slackUserId"`, [
      userId,
      slackUserId || null,
    ]);
    await recordAudit(client, {
      actor,
      action: "roster.slack_id",
      targetType: "user",
      targetId: before[0].email,
      before: { slackUserId: before[0].slack_user_id },
      after: { slackUserId: slackUserId || null },
      outcome: "ok",
    });
    return rows[0];
  });
}

export type RosterView = { now: Date; current: Shift | null; shifts: Shift[]; candidates: (Person & { roles: string[] })[]; pms: Person[] };

/** The On-call page: who is on now, the shifts around it, who may be put on it, and the PMs an escalation informs. */
export async function rosterView(db: Queryable, now = new Date()): Promise<RosterView> {
  const [current, shifts, candidates, pms] = await Promise.all([onCallAt(db, now), listShifts(db, { now }), rosterCandidates(db), productManagers(db)]);
  return { now, current, shifts, candidates, pms };
}
