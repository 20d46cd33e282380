import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetBreakers } from "@/lib/breakers/registry";
import { createShift, setSlackUserId } from "@/lib/roster/roster";
import { insertUpload, minutesAfter } from "@/lib/testing/signal-fixtures";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { runMonitor } from "@/lib/workers/run-monitor";
import { acknowledgeAlert } from "./alert-actions";
import { getAlertOrThrow } from "./list-alerts";

const sreActor = { id: null, email: "sre@example.com", roles: ["sre_lead" as const] };

/** A Slack-compatible webhook on loopback: records every message and answers what `status` says. */
async function startReceiver() {
  const messages: string[] = [];
  let status = (_text: string) => 200;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const text = JSON.parse(body).text as string;
      const code = status(text);
      if (code < 300) messages.push(text);
      res.writeHead(code, { "content-type": "text/plain" }).end(code < 300 ? "ok" : "invalid_payload");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`,
    messages,
    answer: (fn: (text: string) => number) => (status = fn),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let ws: { id: string };
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
beforeEach(async () => {
  await resetDatabase();
  resetBreakers();
  receiver.messages.length = 0;
  receiver.answer(() => 200);
  ws = await createWorkspace("acme");
});

const user = (email: string, name: string, roles: ("oncall" | "pm" | "sre_lead" | "viewer")[]) => prisma().user.create({ data: { email, name, roles } });
const monitor = (now: Date) => runMonitor(pool(), { now, webhookUrl: receiver.url });

async function stuckUpload(t: Date) {
  return insertUpload(ws.id, {
    status: "promoting",
    created_at: minutesAfter(t, -40),
    started_at: minutesAfter(t, -40),
    staged_at: minutesAfter(t, -35),
    promoting_at: minutesAfter(t, -31),
  });
}

async function roster(t: Date) {
  const primary = await user("olivia@example.com", "Olivia Primary", ["oncall"]);
  const secondary = await user("sam@example.com", "Sam Second", ["oncall"]);
  const pm = await user("pat@example.com", "Pat PM", ["pm"]);
  const pm2 = await user("quinn@example.com", "Quinn PM", ["pm"]);
  await setSlackUserId(pool(), sreActor, secondary.id, "U0SECOND1");
  await setSlackUserId(pool(), sreActor, pm.id, "U0PMPAT01");
  await createShift(pool(), sreActor, { startsAt: minutesAfter(t, -60), endsAt: minutesAfter(t, 8 * 60), primaryId: primary.id, secondaryId: secondary.id });
  return { primary, secondary, pm, pm2 };
}

describe("escalation that reaches a person (D10-06)", () => {
  it("after 15 minutes unacknowledged, names the roster's secondary (Slack mention) and informs every PM, each delivery on the alert's timeline", async () => {
    const t = new Date();
    await roster(t);
    await stuckUpload(t);
    await monitor(t);
    await monitor(minutesAfter(t, 10));
    expect(receiver.messages).toHaveLength(1);

    await monitor(minutesAfter(t, 16));
    expect(receiver.messages).toHaveLength(4);
    const [, secondary, ...pms] = receiver.messages;
    expect(secondary).toMatch(/^⏫ ESCALATED \(D10-06\) — unacknowledged for 16 min · \[PAGE\] D10-10/);
    expect(secondary).toContain("<@U0SECOND1> (Sam Second), you are the secondary on-call: the primary, Olivia Primary, has not acknowledged.");
    expect(pms.map((m) => m.split("\n")[1].split(":")[0]).sort()).toEqual(["<@U0PMPAT01> (Pat PM)", "Quinn PM"]);
    expect(pms.every((m) => m.startsWith("ℹ️ PM informed (D10-06) — unacknowledged for 16 min"))).toBe(true);

    const alert = await prisma().alert.findFirstOrThrow({ where: { signal: "stuck_upload" } });
    const { notifications } = await getAlertOrThrow(pool(), alert.id);
    expect(notifications.map((n) => [n.kind, n.recipientEmail, n.result, n.httpStatus, n.error])).toEqual([
      ["opened", null, "sent", 200, null],
      ["escalation_secondary", "sam@example.com", "sent", 200, null],
      ["escalation_pm", "pat@example.com", "sent", 200, null],
      ["escalation_pm", "quinn@example.com", "sent", 200, null],
    ]);
    expect(notifications[1].recipientName).toBe("Sam Second");

    // Once is enough: later runs send nothing more.
    await monitor(minutesAfter(t, 20));
    expect(receiver.messages).toHaveLength(4);
  });

  it("records a refused delivery with the webhook's HTTP status and resends only what did not go out", async () => {
    const t = new Date();
    await roster(t);
    await stuckUpload(t);
    await monitor(t);
    receiver.answer((text) => (text.includes("Quinn PM") ? 500 : 200));
    const run = await monitor(minutesAfter(t, 16));
    expect(run.notifications).toMatchObject({ failed: 1 });
    const alert = await prisma().alert.findFirstOrThrow({ where: { signal: "stuck_upload" } });
    let timeline = (await getAlertOrThrow(pool(), alert.id)).notifications;
    expect(timeline.filter((n) => n.result === "failed").map((n) => [n.recipientEmail, n.httpStatus, n.error])).toEqual([
      ["quinn@example.com", 500, "webhook answered HTTP 500"],
    ]);
    const secondaryTries = () => receiver.messages.filter((m) => m.includes("you are the secondary on-call")).length;
    expect(secondaryTries()).toBe(1);

    receiver.answer(() => 200);
    await monitor(minutesAfter(t, 17));
    timeline = (await getAlertOrThrow(pool(), alert.id)).notifications;
    expect(timeline.filter((n) => n.recipientEmail === "quinn@example.com").map((n) => n.result)).toEqual(["failed", "sent"]);
    // Neither the secondary nor the first PM is paged twice.
    expect(secondaryTries()).toBe(1);
    expect(receiver.messages.filter((m) => m.includes("Pat PM"))).toHaveLength(1);
  });

  it("with nobody on the roster, the escalation says so and asks the SRE lead to take it; an acknowledged alert never escalates", async () => {
    const t = new Date();
    await stuckUpload(t);
    await monitor(t);
    await monitor(minutesAfter(t, 16));
    expect(receiver.messages[1]).toContain("Nobody is on the on-call roster for");
    expect(receiver.messages[1]).toContain("SRE lead, take it and fill the roster (");

    await resetDatabase();
    receiver.messages.length = 0;
    ws = await createWorkspace("acme");
    await roster(t);
    await stuckUpload(t);
    await monitor(t);
    const alert = await prisma().alert.findFirstOrThrow({ where: { signal: "stuck_upload" } });
    await acknowledgeAlert(pool(), { id: null, email: "olivia@example.com", roles: ["oncall"] }, alert.id, { now: minutesAfter(t, 5) });
    await monitor(minutesAfter(t, 30));
    expect(receiver.messages).toHaveLength(1);
    expect((await getAlertOrThrow(pool(), alert.id)).notifications.map((n) => n.kind)).toEqual(["opened"]);
  });
});
