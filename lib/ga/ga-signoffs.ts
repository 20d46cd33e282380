import { createHash } from "node:crypto";
import type pg from "pg";
import { refuse } from "@/lib/audit/accountable";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Actor } from "@/lib/auth/actor";
import { decide } from "@/lib/auth/permissions";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { badRequest, conflict, forbidden, notFound } from "@/lib/errors";
import { parseUuid } from "@/lib/db/ids";
import { computeGaFigures, type GaFigures } from "./compute-ga-figures";
import { isoDay } from "./ga-window";
import { LINE_ACTION, LINE_LABEL, shortfalls } from "./ga-rules";
import { GA_LINES, checklistSchema, type Checklist, type GaLine } from "./ga.schema";
import type { GaSignaturesRow, GaSignoffsRow } from "@/lib/db/rows";

export { LINE_ACTION, LINE_LABEL, shortfalls };

export type GaStatus = "open" | "approved" | "deferred";

export type GaSignature = {
  line: GaLine;
  lineLabel: string;
  signerEmail: string;
  signerName: string | null;
  vote: "approve" | "defer";
  note: string | null;
  figuresHash: string;
  signedAt: string;
};

export type GaSignoff = {
  id: string;
  status: GaStatus;
  figures: GaFigures;
  figuresHash: string;
  /** The stored figures still hash to what was signed. */
  snapshotIntact: boolean;
  computedAt: string;
  checklist: Checklist | null;
  checklistComplete: boolean;
  checklistBy: string | null;
  checklistAt: string | null;
  decisionReason: string | null;
  reReviewOn: string | null;
  decidedAt: string | null;
  createdBy: string;
  createdAt: string;
  /** Pass back as expectedVersion: every change is a compare-and-set on it. */
  version: number;
  signatures: GaSignature[];
  /** Figures and checklist can no longer change (someone signed, or the form is decided). */
  frozen: boolean;
};

/** JSON with sorted keys, so the same figures always hash the same (jsonb does not keep key order). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

export const hashFigures = (figures: GaFigures) => createHash("sha256").update(canonicalJson(figures)).digest("hex");

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function checklistComplete(checklist: unknown): boolean {
  return checklistSchema.safeParse(checklist).success;
}

/** SIGNOFF_COLUMNS: the re-review day as text (YYYY-MM-DD). */
type SignoffRow = Omit<GaSignoffsRow, "re_review_on"> & { re_review_on: string | null };

function toSignoff(row: SignoffRow, signatures: GaSignaturesRow[]): GaSignoff {
  const sigs: GaSignature[] = signatures
    .map((s) => ({
      line: s.line,
      lineLabel: LINE_LABEL[s.line as GaLine],
      signerEmail: s.signer_email,
      signerName: s.signer_name,
      vote: s.vote,
      note: s.note,
      figuresHash: s.figures_hash,
      signedAt: s.signed_at.toISOString(),
    }))
    .sort((a, b) => GA_LINES.indexOf(a.line) - GA_LINES.indexOf(b.line));
  return {
    id: row.id,
    status: row.status,
    figures: row.figures as GaFigures,
    figuresHash: row.figures_hash,
    snapshotIntact: hashFigures(row.figures as GaFigures) === row.figures_hash,
    computedAt: row.computed_at.toISOString(),
    checklist: row.checklist as GaSignoff["checklist"],
    checklistComplete: checklistComplete(row.checklist),
    checklistBy: row.checklist_by,
    checklistAt: iso(row.checklist_at),
    decisionReason: row.decision_reason,
    reReviewOn: row.re_review_on,
    decidedAt: iso(row.decided_at),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    version: row.version,
    signatures: sigs,
    frozen: row.status !== "open" || sigs.length > 0,
  };
}

const SIGNOFF_COLUMNS = `id, status::text AS status, figures, figures_hash, computed_at, checklist, checklist_by, checklist_at, decision_reason,
  to_char(re_review_on, 'YYYY-MM-DD') AS re_review_on, decided_at, created_by, created_at, version`;
const SIGNATURE_COLUMNS = `signoff_id, line::text AS line, signer_email, signer_name, vote::text AS vote, note, figures_hash, signed_at`;

export async function getGaSignoffOrThrow(db: Queryable, id: string): Promise<GaSignoff> {
  const form = await db.query(`SELECT ${SIGNOFF_COLUMNS} FROM ga_signoffs WHERE id = $1`, [parseUuid(id, `GA sign-off ${id}`)]);
  if (!form.rows[0]) throw notFound(`GA sign-off ${id}`);
  const signatures = await db.query(`SELECT ${SIGNATURE_COLUMNS} FROM ga_signatures WHERE signoff_id = $1`, [id]);
  return toSignoff(form.rows[0], signatures.rows);
}

/** Every sign-off form, newest first: the open one and the history of decisions. */
export async function listGaSignoffs(db: Queryable, limit = 50): Promise<GaSignoff[]> {
  const forms = await db.query(`SELECT ${SIGNOFF_COLUMNS} FROM ga_signoffs ORDER BY created_at DESC LIMIT $1`, [limit]);
  if (!forms.rows.length) return [];
  const signatures = await db.query(`SELECT ${SIGNATURE_COLUMNS} FROM ga_signatures WHERE signoff_id = ANY($1::uuid[])`, [forms.rows.map((r) => r.id)]);
  return forms.rows.map((f) =>
    toSignoff(
      f,
      signatures.rows.filter((s) => s.signoff_id === f.id),
    ),
  );
}

/** Why a compare-and-set on the form did not apply, as the error to show. */
async function staleFormError(db: Queryable, id: string, expectedVersion: number, purpose: "edit" | "sign" = "edit") {
  const form = await getGaSignoffOrThrow(db, id);
  if (form.status !== "open")
    return conflict(`This sign-off was decided (GA ${form.status.toUpperCase()}) at ${form.decidedAt}; it cannot change.`, "GA_DECIDED");
  if (purpose === "edit" && form.signatures.length) {
    const first = form.signatures[0];
    return conflict(`The figures and checklist are frozen: ${first.signerEmail} signed the ${first.lineLabel} line at ${first.signedAt}.`, "GA_FROZEN");
  }
  return conflict(`The form changed since you loaded it (version ${form.version}, you saw ${expectedVersion}). Review it again.`, "STALE_FORM");
}

/** The PM opens a sign-off form for a window: its figures are computed now and stored as the form's snapshot. */
export async function prepareGaSignoff(pool: pg.Pool, actor: Actor, input: { lastDay?: string | null; now?: Date }): Promise<GaSignoff> {
  const figures = await computeGaFigures(pool, { lastDay: input.lastDay, now: input.now });
  const hash = hashFigures(figures);
  const id = await withTransaction(pool, async (client) => {
    // One open form at a time: creations serialize on this lock, then insert only if none is open.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('ga_signoffs.open'))`);
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO ga_signoffs (id, window_start, window_end, figures, figures_hash, computed_at, created_by)
       SELECT gen_random_uuid(), $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM ga_signoffs WHERE status = 'open')
       RETURNING id`,
      [figures.window.start, figures.window.end, JSON.stringify(figures), hash, figures.computedAt, actor.email],
    );
    if (!rows[0]) {
      const open = await client.query<{ id: string }>(`SELECT id FROM ga_signoffs WHERE status = 'open' LIMIT 1`);
      throw conflict(`A sign-off form is already open (${open.rows[0]?.id}); it must be decided (signed or deferred) first.`, "GA_FORM_OPEN");
    }
    await recordAudit(client, {
      actor,
      action: "ga.prepare",
      targetType: "ga_signoff",
      targetId: rows[0].id,
      after: { window: figures.window, figuresHash: hash, allPass: figures.allPass },
      outcome: "ok",
    });
    return rows[0].id;
  });
  return getGaSignoffOrThrow(pool, id);
}

/** Recomputes the figures of an open form (optionally for another window) — only while nobody has signed. */
export async function recomputeGaSignoff(
  pool: pg.Pool,
  actor: Actor,
  input: { id: string; lastDay?: string | null; expectedVersion: number; now?: Date },
): Promise<GaSignoff> {
  const before = await getGaSignoffOrThrow(pool, input.id);
  const figures = await computeGaFigures(pool, { lastDay: input.lastDay ?? before.figures.window.lastDay, now: input.now });
  const hash = hashFigures(figures);
  await withTransaction(pool, async (client) => {
    const { rows } = await client.query(
      `UPDATE ga_signoffs g SET window_start = $3, window_end = $4, figures = $5, figures_hash = $6, computed_at = $7, version = g.version + 1
        WHERE g.id = $1 AND g.status = 'open' AND g.version = $2 AND NOT EXISTS (SELECT 1 FROM ga_signatures s WHERE s.signoff_id = g.id)
        RETURNING g.id`,
      [input.id, input.expectedVersion, figures.window.start, figures.window.end, JSON.stringify(figures), hash, figures.computedAt],
    );
    if (!rows[0]) throw await staleFormError(client, input.id, input.expectedVersion);
    await recordAudit(client, {
      actor,
      action: "ga.recompute",
      targetType: "ga_signoff",
      targetId: input.id,
      before: { window: before.figures.window, figuresHash: before.figuresHash },
      after: { window: figures.window, figuresHash: hash, allPass: figures.allPass },
      outcome: "ok",
    });
  });
  return getGaSignoffOrThrow(pool, input.id);
}

/** The PM fills in the D8 §6.1 qualitative checklist — only while nobody has signed. */
export async function saveGaChecklist(pool: pg.Pool, actor: Actor, input: { id: string; checklist: Checklist; expectedVersion: number }): Promise<GaSignoff> {
  parseUuid(input.id, `GA sign-off ${input.id}`);
  const checklist = checklistSchema.parse(input.checklist);
  await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ old: unknown }>(
      `WITH old AS (SELECT id, checklist FROM ga_signoffs WHERE id = $1 FOR UPDATE)
       UPDATE ga_signoffs g SET checklist = $3, checklist_by = $4, checklist_at = now(), version = g.version + 1
         FROM old
        WHERE g.id = old.id AND g.status = 'open' AND g.version = $2 AND NOT EXISTS (SELECT 1 FROM ga_signatures s WHERE s.signoff_id = g.id)
        RETURNING old.checklist AS old`,
      [input.id, input.expectedVersion, JSON.stringify(checklist), actor.email],
    );
    if (!rows[0]) throw await staleFormError(client, input.id, input.expectedVersion);
    await recordAudit(client, {
      actor,
      action: "ga.checklist",
      targetType: "ga_signoff",
      targetId: input.id,
      before: rows[0].old,
      after: checklist,
      outcome: "ok",
    });
  });
  return getGaSignoffOrThrow(pool, input.id);
}

/**
 * Signs one approval line (D8 §6.3). Only a holder of the line's permission signs it, one line per person,
 * on the form version the signer saw. A deferral (with reason and re-review date) decides GA DEFERRED at
 * once; the third approval decides GA APPROVED. Approving despite a shortfall needs a note saying why.
 */
export async function signGaLine(
  pool: pg.Pool,
  actor: Actor,
  input: { id: string; line: GaLine; vote: "approve" | "defer"; note?: string | null; reReviewOn?: string | null; expectedVersion: number; now?: Date },
): Promise<GaSignoff> {
  const action = LINE_ACTION[input.line];
  const target = { type: "ga_signoff", id: input.id };
  const note = input.note?.trim() || null;
  const denied = decide(actor, action);
  if (!denied.allowed) {
    await refuse(
      pool,
      actor,
      action,
      target,
      { reason: note },
      forbidden(`Only the ${LINE_LABEL[input.line]} signs this line (${denied.reason}).`, "NOT_YOUR_LINE"),
    );
  }
  const form = await getGaSignoffOrThrow(pool, input.id);
  if (form.status !== "open" || form.version !== input.expectedVersion) throw await staleFormError(pool, input.id, input.expectedVersion, "sign");
  const taken = form.signatures.find((s) => s.line === input.line);
  if (taken) throw conflict(`The ${taken.lineLabel} line was already signed by ${taken.signerEmail} at ${taken.signedAt}.`, "LINE_SIGNED");
  const mine = form.signatures.find((s) => s.signerEmail === actor.email);
  if (mine) {
    await refuse(
      pool,
      actor,
      action,
      target,
      { reason: note },
      forbidden(`You already signed the ${mine.lineLabel} line; each line is signed by a different person.`, "ONE_LINE_PER_PERSON"),
    );
  }
  if (!form.checklistComplete) throw conflict("The Product Manager fills in the qualitative checklist (D8 §6.1) before anyone signs.", "CHECKLIST_INCOMPLETE");
  const today = isoDay(input.now ?? new Date());
  if (input.vote === "defer") {
    if (!note) throw badRequest("Deferring GA needs a reason.", "REASON_REQUIRED");
    if (!input.reReviewOn) throw badRequest("Deferring GA needs a re-review date.", "RE_REVIEW_REQUIRED");
    if (input.reReviewOn <= today) throw badRequest("The re-review date must be after today.", "RE_REVIEW_REQUIRED");
  } else {
    const gaps = shortfalls(form);
    if (gaps.length && !note) throw badRequest(`Approving while ${gaps.join("; ")} needs a note saying why.`, "WAIVER_REQUIRED");
  }

  await withTransaction(pool, async (client) => {
    const cas = await client.query<{ figures_hash: string }>(
      `UPDATE ga_signoffs SET version = version + 1 WHERE id = $1 AND status = 'open' AND version = $2 RETURNING figures_hash`,
      [input.id, input.expectedVersion],
    );
    if (!cas.rows[0]) throw await staleFormError(client, input.id, input.expectedVersion, "sign");
    await client.query(
      `INSERT INTO ga_signatures (signoff_id, line, signer_id, signer_email, signer_name, vote, note, figures_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [input.id, input.line, actor.id, actor.email, actor.name ?? null, input.vote, note, cas.rows[0].figures_hash],
    );
    let decision: GaStatus = "open";
    if (input.vote === "defer") {
      decision = "deferred";
      await client.query(`UPDATE ga_signoffs SET status = 'deferred', decision_reason = $2, re_review_on = $3, decided_at = now() WHERE id = $1`, [
        input.id,
        `${LINE_LABEL[input.line]} (${actor.email}): ${note}`,
        input.reReviewOn,
      ]);
    } else {
      const approvals = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ga_signatures WHERE signoff_id = $1 AND vote = 'approve'`, [
        input.id,
      ]);
      if (approvals.rows[0].n === GA_LINES.length) {
        decision = "approved";
        await client.query(`UPDATE ga_signoffs SET status = 'approved', decided_at = now() WHERE id = $1`, [input.id]);
      }
    }
    await recordAudit(client, {
      actor,
      action: "ga.sign",
      targetType: "ga_signoff",
      targetId: input.id,
      reason: note,
      after: { line: input.line, vote: input.vote, figuresHash: cas.rows[0].figures_hash, decision, reReviewOn: input.reReviewOn ?? null },
      outcome: "ok",
    });
  });
  return getGaSignoffOrThrow(pool, input.id);
}
