import { beforeEach, describe, expect, it } from "vitest";
import { minutesAfter } from "@/lib/testing/signal-fixtures";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { createShift, deleteShift, listShifts, onCallAt, setSlackUserId, updateShift } from "./roster";
import { slackIdSchema } from "./roster.schema";
import type { Actor } from "@/lib/auth/actor";

const sre: Actor = { id: null, email: "sre@example.com", roles: ["sre_lead"] };
let a: { id: string }, b: { id: string }, c: { id: string }, viewer: { id: string };

beforeEach(async () => {
  await resetDatabase();
  a = await prisma().user.create({ data: { email: "a@example.com", name: "Ada", roles: ["oncall"] } });
  b = await prisma().user.create({ data: { email: "b@example.com", name: "Bo", roles: ["oncall"] } });
  c = await prisma().user.create({ data: { email: "c@example.com", name: "Cy", roles: ["sre_lead"] } });
  viewer = await prisma().user.create({ data: { email: "v@example.com", roles: ["viewer"] } });
});

describe("the on-call roster (D10-06)", () => {
  it("answers who is primary and secondary at a moment, audited per change, compare-and-set on edit", async () => {
    const t = new Date("2026-12-01T08:00:00Z");
    const day = await createShift(pool(), sre, { startsAt: t, endsAt: minutesAfter(t, 12 * 60), primaryId: a.id, secondaryId: b.id });
    const night = await createShift(pool(), sre, { startsAt: minutesAfter(t, 12 * 60), endsAt: minutesAfter(t, 24 * 60), primaryId: b.id, secondaryId: c.id });
    expect((await onCallAt(pool(), minutesAfter(t, 60)))?.secondary.email).toBe("b@example.com");
    expect((await onCallAt(pool(), minutesAfter(t, 13 * 60)))?.secondary.email).toBe("c@example.com");
    expect(await onCallAt(pool(), minutesAfter(t, 25 * 60))).toBeNull();
    expect((await listShifts(pool(), { now: t })).map((s) => s.primary.name)).toEqual(["Ada", "Bo"]);

    const changed = await updateShift(pool(), sre, day.id, {
      startsAt: t,
      endsAt: minutesAfter(t, 12 * 60),
      primaryId: a.id,
      secondaryId: c.id,
      expectedVersion: 1,
    });
    expect(changed).toMatchObject({ version: 2, secondary: { email: "c@example.com" } });
    await expect(
      updateShift(pool(), sre, day.id, { startsAt: t, endsAt: minutesAfter(t, 12 * 60), primaryId: a.id, secondaryId: b.id, expectedVersion: 1 }),
    ).rejects.toMatchObject({ code: "STALE_SHIFT" });
    await deleteShift(pool(), sre, night.id, 1);

    const audit = await prisma().auditLog.findMany({ orderBy: { id: "asc" } });
    expect(audit.map((x) => [x.action, x.actorEmail, x.outcome])).toEqual([
      ["roster.shift_create", "sre@example.com", "ok"],
      ["roster.shift_create", "sre@example.com", "ok"],
      ["roster.shift_update", "sre@example.com", "ok"],
      ["roster.shift_delete", "sre@example.com", "ok"],
    ]);
    expect(audit[2].before).toMatchObject({ secondary: "b@example.com" });
    expect(audit[2].after).toMatchObject({ secondary: "c@example.com" });
  });

  it("refuses an overlap, the same person twice, someone who may not act on an alert, and a shift that ends before it starts", async () => {
    const t = new Date("2026-12-01T08:00:00Z");
    await createShift(pool(), sre, { startsAt: t, endsAt: minutesAfter(t, 600), primaryId: a.id, secondaryId: b.id });
    const shift = (startsAt: Date, endsAt: Date, primaryId: string, secondaryId: string) =>
      createShift(pool(), sre, { startsAt, endsAt, primaryId, secondaryId });
    await expect(shift(minutesAfter(t, 300), minutesAfter(t, 900), a.id, b.id)).rejects.toMatchObject({ code: "SHIFT_OVERLAP" });
    await expect(shift(minutesAfter(t, 600), minutesAfter(t, 900), a.id, a.id)).rejects.toMatchObject({
      code: "BAD_SHIFT",
      message: expect.stringMatching(/someone other than the primary/),
    });
    await expect(shift(minutesAfter(t, 600), minutesAfter(t, 900), a.id, viewer.id)).rejects.toMatchObject({
      code: "BAD_SHIFT",
      message: expect.stringMatching(/secondary must be an active user/),
    });
    await expect(shift(minutesAfter(t, 900), minutesAfter(t, 600), a.id, b.id)).rejects.toMatchObject({ code: "BAD_SHIFT" });
    expect(await prisma().oncallShift.count()).toBe(1);
  });

  it("keeps a valid Slack member ID, audited; a malformed one never reaches the database", async () => {
    expect(slackIdSchema.safeParse({ userId: a.id, slackUserId: "<!channel>" }).success).toBe(false);
    expect(slackIdSchema.parse({ userId: a.id, slackUserId: " u0abc123 " }).slackUserId).toBe("U0ABC123");
    await setSlackUserId(pool(), sre, a.id, "U0ABC123");
    expect((await prisma().user.findUniqueOrThrow({ where: { id: a.id } })).slackUserId).toBe("U0ABC123");
    await setSlackUserId(pool(), sre, a.id, "");
    expect((await prisma().user.findUniqueOrThrow({ where: { id: a.id } })).slackUserId).toBeNull();
    expect(await prisma().auditLog.count({ where: { action: "roster.slack_id" } })).toBe(2);
  });
});
