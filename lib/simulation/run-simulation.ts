/**
 * The founder-absence simulation (issue 15): the real workers, monitor, escalation and cleanup on the
 * simulation's own database, on a virtual clock, with clients and operators acting only over HTTP
 * (public API with an API key, console API with a session cookie). See docs/simulation/README.md.
 */
import { spawn } from "node:child_process";
import type pg from "pg";
import { addUser } from "@/lib/auth/users";
import { createApiKey } from "@/lib/auth/api-keys";
import { liftExpiredControls } from "@/lib/controls/change-control";
import { pool, prisma } from "@/lib/db/client";
import { computeGaFigures, type GaFigures } from "@/lib/ga/compute-ga-figures";
import { findRunbook } from "@/lib/runbooks/load-runbooks";
import { expectedCounts } from "@/lib/testing/generate-file";
import { generated } from "@/lib/testing/pipeline";
import { appRouteFiles, serveAppRoutes, sessionCookie } from "@/lib/testing/next-routes";
import { recordWorkerRun } from "@/lib/workers/record-run";
import { runCleanup, runMonitorTick, runParse, runPromote } from "@/lib/workers/run-workers";
import { countWaiting } from "@/lib/ingestion/claim-upload";
import { DETECTORS, planFaults, type FaultId, type FaultPlan } from "./faults";
import { hashSeed } from "./random";
import { DAY_MS, MALFORMED_FILE, STREAMS, WORKSPACES, dailyDeliveries, historyDeliveries, isoDay, streamKey, type Delivery } from "./traffic";
import { advanceTo, syncSqlClock, virtualNow } from "./virtual-clock";
import type { startTcpProxy } from "./tcp-proxy";
import type { startWebhookReceiver } from "./webhook-receiver";

/**
 * A console or client API answer as the simulated operator reads it: loosely, like a person reading
 * the JSON (fields it does not know are simply not looked at).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ApiJson = Record<string, any>;

const MINUTE = 60_000;
const BUSY_STEP = 20_000; // the scheduler's tick while there is work or trouble
const IDLE_STEP = 10 * MINUTE;

export type SimulationInput = {
  days: number;
  seed: number;
  startMs: number;
  only: FaultId[] | null;
  clock: pg.Client; // direct (not through the proxy): the clock keeps moving during the outage
  proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  progress?: (line: string) => void;
};

export type Action = { at: string; actor: string; action: string };
export type FaultResult = {
  id: FaultId;
  instance: number;
  label: string;
  target: string | null;
  injectedAt: string;
  detector: string;
  thresholdMinutes: number;
  detected: boolean;
  detectedAt: string | null;
  detectedBy: string | null;
  minutesToDetect: number | null;
  actions: Action[];
  notes: string[];
};
export type AcceptedUpload = { id: string; delivery: Delivery; expected: ReturnType<typeof expectedCounts> | null; acceptedAt: number };
export type HourSample = { at: number; accepted: number; refused: number; activeAlerts: number; rowsPromoted: number };

type Pending = Delivery & { attempts: number };
type Fault = FaultPlan & { result: FaultResult; state: Record<string, unknown> };
type Operator = { email: string; role: string; cookie: string };

const iso = (ms: number) => new Date(ms).toISOString();

export async function runSimulation(input: SimulationInput) {
  const { startMs, days, seed, webhook, proxy } = input;
  const endMs = startMs + days * DAY_MS;
  const say = input.progress ?? (() => {});

  // ── the world: workspaces, API keys, operators ────────────────────────────────────────────────
  // The deployment under test is generally available (rollout P4), as set up before the founder leaves.
  await pool().query(`UPDATE ingestion_controls SET value = '{"phase":"P4","allowlist":[]}'::jsonb, set_by = 'setup' WHERE key = 'rollout'`);
  const keys = new Map<string, string>();
  for (const w of WORKSPACES) {
    const lag = Object.fromEntries(STREAMS.filter((s) => s.workspace === w.slug).map((s) => [s.platform, 2]));
    await prisma().workspace.create({ data: { slug: w.slug, name: w.slug, expectedLagDays: lag, skipWeekends: w.skipWeekends } });
    keys.set(w.slug, (await createApiKey(prisma(), w.slug, "simulation")).key);
  }
  const operators = new Map<string, Operator>();
  for (const [name, role] of [
    ["oncall", "oncall"],
    ["oncall2", "oncall"],
    ["sre", "sre_lead"],
    ["owner", "ingestion_owner"],
    ["support", "support_lead"],
  ] as const) {
    const email = `${name}@sim.example.com`;
    await addUser(prisma(), { email, roles: [role], password: "simulation-password-1" });
    const user = await prisma().user.findUniqueOrThrow({ where: { email } });
    operators.set(name, { email, role, cookie: await sessionCookie({ id: user.id, email, sessionVersion: user.sessionVersion }) });
  }
  const OPERATOR_EMAILS = new Set([...operators.values()].map((o) => o.email));
  const server = await serveAppRoutes(appRouteFiles("api").filter((f) => f.pattern.startsWith("/api/v1/uploads") || f.pattern.startsWith("/api/console/")));

  const console_ = async (op: Operator, method: "GET" | "POST", path: string, body?: unknown) => {
    const response = await fetch(`${server.url}/api/console${path}`, {
      method,
      headers: { cookie: op.cookie, "content-type": "application/json", origin: server.url },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((error) => ({ status: 0, json: async () => ({ error: String(error) }) }) as unknown as Response);
    const json = (await response.json().catch(() => ({}))) as ApiJson;
    return { status: response.status, body: json };
  };

  // ── bookkeeping ───────────────────────────────────────────────────────────────────────────────
  const faults: Fault[] = planFaults(startMs, days, seed, input.only).map((p) => ({
    ...p,
    state: {},
    result: {
      id: p.id,
      instance: p.instance,
      label: DETECTORS[p.id].label,
      target: p.target ?? null,
      injectedAt: iso(p.at),
      detector: DETECTORS[p.id].detector,
      thresholdMinutes: DETECTORS[p.id].thresholdMinutes,
      detected: false,
      detectedAt: null,
      detectedBy: null,
      minutesToDetect: null,
      actions: [],
      notes: [],
    },
  }));
  const accepted: AcceptedUpload[] = [];
  const refusals: Record<string, number> = {};
  const operatorErrors: string[] = [];
  const hours: HourSample[] = [];
  let hour: HourSample = { at: startMs, accepted: 0, refused: 0, activeAlerts: 0, rowsPromoted: 0 };
  const queue: Pending[] = historyDeliveries(startMs, seed).map((d) => ({ ...d, attempts: 0 }));
  const world = { stopped: new Set<string>(), scale: new Map<string, number>(), primaryAway: false, noWork: false, malformedUntil: 0 };
  let plannedDay = -1;
  const fault = (id: FaultId) => faults.filter((f) => f.id === id);
  const act = (f: Fault, at: number, actor: string, action: string) => f.result.actions.push({ at: iso(at), actor, action });
  const detect = (f: Fault, at: number, by: string) => {
    if (f.result.detected) return;
    f.result.detected = true;
    f.result.detectedAt = iso(at);
    f.result.detectedBy = by;
    f.result.minutesToDetect = Math.max(0, Math.round(((at - f.at) / MINUTE) * 10) / 10);
    say(`  detected ${f.id}#${f.instance} after ${f.result.minutesToDetect} min by ${by}`);
  };
  const active = (f: Fault, now: number) => now >= f.at && !f.state.done;

  // ── clients: the public API ──────────────────────────────────────────────────────────────────
  async function post(d: Pending, now: number) {
    const file = d.raw ?? (await generated(d.generate!));
    const form = new FormData();
    form.set("workspace_id", d.workspace);
    form.set("platform", d.platform);
    form.set("file", new Blob([new Uint8Array(file)]), d.fileName);
    const response = await fetch(`${server.url}/api/v1/uploads`, {
      method: "POST",
      body: form,
      headers: { authorization: `Bearer ${keys.get(d.workspace)}` },
    }).catch(
      (error) => ({ status: 0, headers: new Headers(), json: async () => ({ error: { code: "CONNECTION", message: String(error) } }) }) as unknown as Response,
    );
    const body = (await response.json().catch(() => ({}))) as ApiJson;
    if (response.status === 201) {
      accepted.push({ id: body.id, delivery: d, expected: d.generate ? expectedCounts(d.generate) : null, acceptedAt: now });
      hour.accepted++;
      return { status: 201, id: body.id as string, code: null };
    }
    const code = String(body.error?.code ?? body.code ?? response.status);
    if (!refusals[`${response.status} ${code}`])
      say(`${iso(now)} intake answered ${response.status} ${code} to ${d.fileName}: ${String(body.error?.message ?? JSON.stringify(body)).slice(0, 300)}`);
    refusals[`${response.status} ${code}`] = (refusals[`${response.status} ${code}`] ?? 0) + 1;
    hour.refused++;
    return { status: response.status, id: null, code, retryAfter: Number(response.headers.get("retry-after") ?? body.error?.details?.retryAfterSeconds ?? 60) };
  }

  async function deliver(now: number) {
    const due = queue.filter((d) => d.at <= now).sort((a, b) => a.at - b.at);
    for (const d of due) {
      queue.splice(queue.indexOf(d), 1);
      const r = await post(d, now);
      if (r.status === 201) continue;
      if (r.status === 409) {
        // A client whose file is refused as a duplicate keeps its one accepted copy: nothing to resend.
        if (d.fault === "duplicate_upload")
          for (const f of fault("duplicate_upload")) if (f.state.delivery === d) detect(f, now, `intake: ${r.status} ${r.code}`);
        continue;
      }
      if (d.fault === "upload_spike" && r.status === 429) for (const f of fault("upload_spike")) if (active(f, now)) detect(f, now, `intake: 429 ${r.code}`);
      if (r.status === 400 || r.status === 413 || r.status === 422) continue; // the client reads the refusal; nothing to retry
      // Throttled, paused, draining, or the server unreachable: the client retries later, as documented.
      queue.push({ ...d, at: now + Math.max(30, r.retryAfter ?? 60) * 1000, attempts: d.attempts + 1 });
    }
  }

  // ── faults ───────────────────────────────────────────────────────────────────────────────────
  async function injectFaults(now: number) {
    for (const f of faults) {
      if (now < f.at || f.state.injected) continue;
      f.state.injected = true;
      say(`${iso(now)} inject ${f.id}#${f.instance}${f.target ? ` (${f.target})` : ""}`);
      switch (f.id) {
        case "duplicate_upload": {
          const original = accepted.filter((a) => streamKey(a.delivery) === f.target).at(-1);
          if (!original) {
            f.result.notes.push("no earlier upload of the stream to duplicate");
            break;
          }
          const d: Pending = { ...original.delivery, at: now, attempts: 0, fault: "duplicate_upload", why: "client retried an upload that had succeeded" };
          f.state.delivery = d;
          queue.push(d);
          act(f, now, "client", `re-sent ${d.fileName} (already accepted as upload ${original.id})`);
          break;
        }
        case "db_outage":
          proxy.setDown(true);
          act(f, now, "fault", `database unreachable for ${f.durationMinutes} min (proxy refuses connections)`);
          break;
        case "dead_webhook":
          webhook.setDead(true);
          act(f, now, "fault", `alert webhook answers 500 for ${f.durationMinutes} min`);
          break;
        case "kill_switch_no_incident": {
          const op = operators.get("oncall")!;
          const controls = await console_(op, "GET", "/controls");
          const version = Number(controls.body?.controls?.mode?.version ?? controls.body?.mode?.version ?? 0);
          const r = await console_(op, "POST", "/controls/mode", {
            mode: "draining",
            reason: "queue looks slow, draining to be safe",
            expectedVersion: version,
          });
          act(f, now, "operator oncall", `POST /api/console/controls/mode draining without an incident ID → ${r.status} ${r.body?.error?.code ?? ""}`);
          break;
        }
        case "platform_stops":
          world.stopped.add(f.target!);
          // Today's export, not sent yet, does not come either.
          for (const d of queue.filter((q) => q.stream === f.target && q.why === "daily export")) queue.splice(queue.indexOf(d), 1);
          act(f, now, "client", `${f.target} stops sending its daily export`);
          break;
        case "worker_no_work":
          world.noWork = true;
          act(f, now, "fault", "parse runs finish ok with 0 items (a bad deploy) until the instance is restarted");
          break;
        case "partial_upload":
        case "spend_jump":
          // Applied to the stream's next daily delivery (planned below).
          break;
        case "alert_unacknowledged":
          world.primaryAway = true;
          act(f, now, "fault", `primary on-call unreachable for ${f.durationMinutes} min`);
          break;
        case "malformed_file":
          for (let i = 0; i < 6; i++)
            queue.push({
              at: now + i * 4 * MINUTE,
              stream: "initech/google",
              workspace: "initech",
              platform: "google",
              fileName: `google_initech_export_${i + 1}.csv`,
              generate: null,
              raw: Buffer.concat([MALFORMED_FILE, Buffer.from(`<!-- request ${hashSeed(seed, f.instance, i)} -->\n`)]),
              why: "export tool saved its error page",
              fault: "malformed_file",
              attempts: 0,
            });
          act(f, now, "client", "initech's exporter sends 6 HTML error pages as google exports over 20 min");
          break;
        case "upload_spike":
          for (let i = 0; i < 60; i++) {
            // Each instance backfills its own 60 days: a re-delivered day would replace the first one's rows.
            const first = startMs - (120 + f.instance * 70 - i) * DAY_MS;
            queue.push({
              at: now,
              stream: "globex/meta",
              workspace: "globex",
              platform: "meta",
              fileName: `meta_globex_backfill_${isoDay(first)}.csv`,
              generate: { platform: "meta", rows: 300, campaigns: 300, startDate: isoDay(first), seed: hashSeed(seed, "spike", f.instance, i) },
              why: "backfill of 60 historical days at once",
              fault: "upload_spike",
              attempts: 0,
            });
          }
          act(f, now, "client", "globex backfills 60 historical days, one file each, all at once");
          break;
        case "worker_killed":
          await killWorkerMidParse(f, now);
          break;
      }
    }
    // Faults that end by themselves.
    for (const f of fault("db_outage"))
      if (f.state.injected && !f.state.done && now >= f.at + f.durationMinutes * MINUTE) {
        proxy.setDown(false);
        f.state.done = true;
        act(f, now, "fault", `database reachable again (${proxy.refused} connections refused meanwhile)`);
      }
    for (const f of fault("dead_webhook"))
      if (f.state.injected && !f.state.done && now >= f.at + f.durationMinutes * MINUTE) {
        webhook.setDead(false);
        f.state.done = true;
        act(f, now, "fault", `webhook receiver back (${webhook.refused} posts refused meanwhile)`);
      }
    for (const f of fault("malformed_file")) if (f.state.injected && now >= f.at + f.durationMinutes * MINUTE) f.state.done = true;
    for (const f of fault("upload_spike")) if (f.state.injected && !queue.some((d) => d.fault === "upload_spike")) f.state.done = true;
    for (const f of fault("alert_unacknowledged"))
      if (f.state.injected && !f.state.done && now >= f.at + f.durationMinutes * MINUTE) {
        world.primaryAway = false;
        f.state.done = true;
      }
  }

  /** A real child process parses a big upload; it is SIGKILLed once it has committed a batch. */
  async function killWorkerMidParse(f: Fault, now: number) {
    const d: Pending = {
      at: now,
      stream: "acme/meta",
      workspace: "acme",
      platform: "meta",
      fileName: `meta_acme_history_2024_${f.instance + 1}.csv`,
      generate: {
        platform: "meta",
        rows: 120_000,
        campaigns: 2000,
        startDate: isoDay(Date.UTC(2024, 0, 1) + f.instance * 70 * DAY_MS),
        seed: hashSeed(seed, "big", f.instance),
      },
      why: "acme loads 60 days of 2024 history (120 000 rows)",
      fault: "worker_killed",
      attempts: 0,
    };
    const r = await post(d, now);
    if (r.status !== 201) {
      f.result.notes.push(`the big upload was refused (${r.status} ${r.code}); nothing to kill`);
      f.state.done = true;
      return;
    }
    f.state.uploadId = r.id;
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/simulation/worker-child.ts"], {
      env: { ...process.env, BATCH_SIZE: "5000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const deadline = Date.now() + 60_000;
    let killedAt: { parsed: number; lockedBy: string } | null = null;
    while (Date.now() < deadline && child.exitCode === null) {
      const { rows } = await pool().query<{ parsed_records: number; locked_by: string | null; status: string }>(
        `SELECT parsed_records, locked_by, status FROM uploads WHERE id = $1`,
        [r.id],
      );
      if (rows[0].parsed_records > 0 && rows[0].status === "processing" && rows[0].locked_by) {
        child.kill("SIGKILL");
        killedAt = { parsed: rows[0].parsed_records, lockedBy: rows[0].locked_by };
        break;
      }
      await new Promise((res) => setTimeout(res, 25));
    }
    await exited;
    if (!killedAt) {
      f.result.notes.push("the child finished or never claimed before it could be killed");
      f.state.done = true;
      return;
    }
    f.state.killedBy = killedAt.lockedBy;
    act(
      f,
      virtualNow(),
      "fault",
      `worker process ${child.pid} (${killedAt.lockedBy}) SIGKILLed holding the lease, ${killedAt.parsed} of 120 000 records committed`,
    );
  }

  /** Detection from the data: the alert a fault's detector opened, or a takeover, once the fault is on. */
  async function checkDetection(now: number) {
    const open = faults.filter((f) => f.state.injected && !f.result.detected);
    if (!open.length) return;
    const alerts = async (signal: string, fingerprint: string | null, since: number) =>
      (
        await pool().query<{ id: string; fingerprint: string; opened_at: Date; escalated_at: Date | null; title: string }>(
          `SELECT id, fingerprint, opened_at, escalated_at, title FROM alerts WHERE signal = $1 AND ($2::text IS NULL OR fingerprint LIKE $2) AND opened_at >= $3 ORDER BY opened_at LIMIT 1`,
          [signal, fingerprint, new Date(since - MINUTE)],
        )
      ).rows[0];
    const wsId = async (slug: string) => (await pool().query<{ id: string }>(`SELECT id FROM workspaces WHERE slug = $1`, [slug])).rows[0].id;
    for (const f of open) {
      let a: Awaited<ReturnType<typeof alerts>> | undefined;
      switch (f.id) {
        case "db_outage":
          a = (await alerts("database_unavailable", null, f.at)) ?? (await alerts("breaker_open", "breaker:worker.%", f.at));
          break;
        case "dead_webhook":
          a = await alerts("breaker_open", "breaker:webhook", f.at);
          break;
        case "kill_switch_no_incident":
          a = await alerts("kill_switch_unaccountable", null, f.at);
          break;
        case "platform_stops": {
          const [ws, platform] = f.target!.split("/");
          a = await alerts("freshness", `freshness:${await wsId(ws)}:${platform}`, f.at);
          break;
        }
        case "worker_no_work":
          a = await alerts("worker_anomaly", "worker_anomaly:parse", f.at);
          break;
        case "partial_upload":
          if (f.state.uploadId)
            a = (
              await pool().query(
                `SELECT id, fingerprint, opened_at, title FROM alerts WHERE signal = 'partial_promotion' AND upload_id = $1 ORDER BY opened_at LIMIT 1`,
                [f.state.uploadId],
              )
            ).rows[0];
          break;
        case "spend_jump": {
          const [ws, platform] = f.target!.split("/");
          a = await alerts("spend_delta", `spend_delta:${await wsId(ws)}:${platform}`, f.at);
          break;
        }
        case "malformed_file":
          a = await alerts("error_rate", "error_rate", f.at);
          break;
        case "alert_unacknowledged": {
          const { rows } = await pool().query<{ id: string; title: string; escalated_at: Date; opened_at: Date }>(
            `SELECT id, title, escalated_at, opened_at FROM alerts WHERE escalated AND escalated_at >= $1 ORDER BY escalated_at LIMIT 1`,
            [new Date(f.at)],
          );
          if (rows[0]) {
            const e = rows[0];
            // The fault is "an alert nobody acknowledges": it exists from the moment that alert opens.
            f.result.notes.push(`the primary on-call was unreachable from ${f.result.injectedAt}`);
            f.at = e.opened_at.getTime();
            f.result.injectedAt = iso(f.at);
            detect(
              f,
              e.escalated_at.getTime(),
              `escalation of "${e.title}" ${Math.round((e.escalated_at.getTime() - e.opened_at.getTime()) / MINUTE)} min after it opened`,
            );
          }
          continue;
        }
        case "worker_killed": {
          if (!f.state.killedBy) continue;
          const { rows } = await pool().query<{ locked_by: string | null; status: string; attempts: number }>(
            `SELECT locked_by, status::text, attempts FROM uploads WHERE id = $1`,
            [f.state.uploadId],
          );
          const u = rows[0];
          if (u.attempts >= 2 && u.locked_by !== f.state.killedBy)
            detect(
              f,
              now,
              `lease expired; claimed again (attempt ${u.attempts}) by ${u.locked_by ?? "a worker that already finished it"} and resumed (status ${u.status})`,
            );
          continue;
        }
        default:
          continue;
      }
      if (a) {
        f.state.alertId = a.id;
        detect(f, a.opened_at.getTime(), `${a.fingerprint.split(":")[0]} alert "${a.title}"`);
      }
    }
  }

  // ── operators: the console API, following the alert's runbook ────────────────────────────────
  const known = new Map<string, { learnedAt: number; via: string; escalated: boolean }>();
  const handled = new Map<string, string>();
  const pendingOutcomes: { alertId: string; outcome: string; op: Operator; until: number }[] = [];
  let seenMessages = 0;
  let lastCheckHour = -1;
  let incidents = 0;

  function responder(alert: ApiJson, escalated: boolean): [string, Operator] | null {
    const owner = alert.ownerRole as string;
    const byRole: Record<string, string> = { oncall: "oncall", sre_lead: "sre", ingestion_owner: "owner", support_lead: "support" };
    const name = byRole[owner] ?? "oncall";
    if (name === "oncall" && world.primaryAway) return escalated ? ["oncall2", operators.get("oncall2")!] : null;
    return [name, operators.get(name)!];
  }

  async function operate(now: number) {
    for (const m of webhook.messages.slice(seenMessages)) {
      if (!m.alertId) continue;
      const k = known.get(m.alertId);
      if (!k) known.set(m.alertId, { learnedAt: m.at, via: m.escalation ? "escalation message" : "webhook message", escalated: m.escalation });
      else if (m.escalation) k.escalated = true;
    }
    seenMessages = webhook.messages.length;
    // D8 §3.2: the hourly check of the console finds what no message announced (e.g. the webhook is dead).
    const h = Math.floor(now / 3_600_000);
    if (h !== lastCheckHour) {
      lastCheckHour = h;
      const list = await console_(operators.get(world.primaryAway ? "oncall2" : "oncall")!, "GET", "/alerts?status=active");
      for (const a of (list.body.alerts ?? []) as ApiJson[]) {
        const k = known.get(a.id);
        if (!k) known.set(a.id, { learnedAt: now, via: "hourly console check", escalated: a.escalated });
        else if (a.escalated) k.escalated = true;
      }
    }
    for (const [alertId, k] of known) {
      if (handled.has(alertId)) continue;
      const delay = (2 + (hashSeed(seed, alertId) % 7)) * MINUTE;
      if (now < k.learnedAt + delay) continue;
      const detail = await console_(operators.get("oncall2")!, "GET", `/alerts/${alertId}`);
      const alert = detail.body.alert as ApiJson | undefined;
      if (!alert) {
        say(`  ${iso(now)} GET /api/console/alerts/${alertId}: ${detail.status} ${JSON.stringify(detail.body).slice(0, 300)}`);
        continue;
      }
      const who = responder(alert, k.escalated || alert.escalated);
      if (!who) continue;
      await handle(alert, detail.body.notes ?? [], who[0], who[1], now, k.via);
    }
    for (const p of [...pendingOutcomes]) {
      const detail = await console_(p.op, "GET", `/alerts/${p.alertId}`);
      const alert = detail.body.alert;
      if (!alert || alert.status !== "resolved") {
        if (now > p.until) pendingOutcomes.splice(pendingOutcomes.indexOf(p), 1);
        continue;
      }
      const r = await console_(p.op, "POST", `/alerts/${p.alertId}/outcome`, { outcome: p.outcome, expectedVersion: alert.version });
      if (r.status >= 400) operatorErrors.push(`${iso(now)} outcome ${p.alertId}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      pendingOutcomes.splice(pendingOutcomes.indexOf(p), 1);
    }
  }

  const faultOfAlert = (alertId: string) => faults.find((f) => f.state.alertId === alertId);

  async function handle(alert: ApiJson, notes: { body: string }[], name: string, op: Operator, now: number, via: string) {
    const incidentId = `INC-${++incidents}`;
    const actor = `${op.role} (${name})`;
    handled.set(alert.id, actor);
    const steps: string[] = [];
    const call = async (method: "GET" | "POST", path: string, body?: unknown) => {
      const r = await console_(op, method, path, body);
      if (r.status >= 400 || r.status === 0) {
        operatorErrors.push(`${iso(now)} ${actor} ${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        say(`  refused: ${operatorErrors.at(-1)}`);
      }
      return r;
    };
    if (alert.status === "open") await call("POST", `/alerts/${alert.id}/acknowledge`);
    const execution = await call("POST", "/runbooks/executions", { runbook: alert.runbook, alertId: alert.id, incidentId });
    let version = execution.body.version as number | undefined;
    const runbook = findRunbook(alert.runbook);
    let outcome = "fixed";
    let action = "followed the runbook; no change needed";
    const ws = alert.workspace as string | null;
    switch (alert.signal) {
      case "partial_promotion": {
        const list = await call("GET", `/partials?review=pending${ws ? `&workspace=${ws}` : ""}`);
        for (const p of (list.body.partials ?? []) as { id?: string; uploadId?: string }[])
          await call("POST", `/partials/${p.uploadId ?? p.id}/acknowledge`, {
            note: `${incidentId}: invalid rows reviewed with the client; they re-export the rejected rows`,
          });
        action = `reviewed ${(list.body.partials ?? []).length} partial upload(s) in the console (D10-02)`;
        break;
      }
      case "freshness": {
        const key = `${ws}/${alert.data?.platform}`;
        if (world.stopped.has(key)) {
          world.stopped.delete(key);
          const s = STREAMS.find((x) => streamKey(x) === key)!;
          const newest = Date.parse(`${alert.data.newestDate}T00:00:00Z`);
          const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
          const daysMissing = Math.round((dayStart - newest) / DAY_MS) - 1;
          if (daysMissing > 0)
            queue.push({
              at: now + 30 * MINUTE,
              stream: key,
              workspace: s.workspace,
              platform: s.platform,
              fileName: `${s.platform}_${s.workspace}_resend_${isoDay(newest + DAY_MS)}.csv`,
              generate: {
                platform: s.platform,
                rows: s.campaigns * daysMissing,
                campaigns: s.campaigns,
                startDate: isoDay(newest + DAY_MS),
                seed: hashSeed(seed, key, "resend", now),
              },
              why: `client re-sends the ${daysMissing} missing day(s) after the operator's call`,
              attempts: 0,
            });
          action = `called the client (WT-06 freshness runbook): their export job had stopped; they re-send ${daysMissing} missing day(s)`;
          for (const f of fault("platform_stops")) if (f.target === key) f.state.done = true;
        }
        break;
      }
      case "worker_anomaly":
        outcome = "false_positive";
        action = "checked what the run processed (WT-06 runbook): a small file after big ones, nothing skipped";
        if (world.noWork && Number(alert.data?.items) === 0 && Number(alert.data?.claimable) > 0) {
          outcome = "fixed";
          world.noWork = false;
          for (const f of fault("worker_no_work")) f.state.done = true;
          action = "restarted the parse worker's instance (runbook task-restart-instance: drain, restart, verify)";
        }
        break;
      case "error_rate": {
        const paused = notes.map((n) => n.body.match(/Automatic workspace pause \(D10-06\): workspace (\S+)/)?.[1]).filter(Boolean) as string[];
        action = "identified the client sending error pages and asked them to fix their exporter";
        if (paused.length) {
          world.malformedUntil = now;
          for (const slug of new Set(paused)) {
            await call("POST", `/workspaces/${slug}/pause`, { paused: false, reason: "client fixed its exporter; resuming the automatic pause", incidentId });
            action += `; resumed workspace ${slug} (paused by the system)`;
          }
        }
        break;
      }
      case "spend_delta":
        outcome = "expected";
        action = "compared with the client's platform UI (D10-01): the client launched new campaigns; spend is real";
        break;
      case "queue_pressure":
        outcome = "expected";
        action = "checked intake throttling and let the queue drain (D10-07)";
        break;
      case "kill_switch_unaccountable":
        action = "confirmed with the on-call that the drain was refused and nothing changed; reminded them of the incident-ID rule (D10-05)";
        break;
      case "breaker_open":
        action = "checked the dependency behind the breaker and watched the half-open probe close it";
        break;
    }
    for (const step of execution.body.id ? (runbook?.steps ?? []) : []) {
      const r = await call("POST", `/runbooks/executions/${execution.body.id}/steps`, { stepId: step.id, result: "ok", note: `${incidentId}` });
      if (r.body.version) version = r.body.version;
      steps.push(step.id);
    }
    await call("POST", `/alerts/${alert.id}/notes`, { body: `${incidentId}: ${action}` });
    if (execution.body.id)
      await call("POST", `/runbooks/executions/${execution.body.id}/close`, { outcome: "resolved", note: action, expectedVersion: version ?? 1 });
    pendingOutcomes.push({ alertId: alert.id, outcome, op, until: now + 2 * DAY_MS });
    const related = [faultOfAlert(alert.id), alert.escalated ? fault("alert_unacknowledged").find((x) => x.result.detected && !x.state.answered) : undefined];
    for (const f of related) {
      if (!f) continue;
      if (f.id === "alert_unacknowledged") f.state.answered = true;
      act(f, now, actor, `learned by ${via}; acknowledged, ran runbook ${alert.runbook} (${steps.length} steps, ${incidentId}): ${action}`);
    }
    say(`${iso(now)} ${actor} handled ${alert.signal} "${alert.title}" via ${via}: ${action}`);
  }

  // ── the loop ─────────────────────────────────────────────────────────────────────────────────
  let now = startMs;
  let lastMonitorMinute = -1;
  let steps = 0;
  let promotedBefore = 0;
  const realStart = performance.now();
  while (now < endMs) {
    const day = Math.floor((now - startMs) / DAY_MS);
    if (day !== plannedDay) {
      plannedDay = day;
      const dayStart = startMs + day * DAY_MS;
      const deliveries = dailyDeliveries(dayStart, seed, world);
      for (const d of deliveries) {
        const partial = fault("partial_upload").find((f) => f.target === d.stream && f.at >= dayStart && f.at < dayStart + DAY_MS);
        if (partial) {
          d.generate = { ...d.generate!, invalidEvery: 40 };
          d.fault = "partial_upload";
          partial.at = d.at;
          partial.result.injectedAt = iso(d.at);
          partial.state.delivery = d;
        }
        const jump = fault("spend_jump").find((f) => f.target === d.stream && f.at >= dayStart && f.at < dayStart + DAY_MS);
        if (jump) {
          world.scale.set(d.stream, 1.6);
          const campaigns = Math.round(d.generate!.campaigns! * 1.6);
          d.generate = { ...d.generate!, campaigns, rows: campaigns * (d.generate!.rows / d.generate!.campaigns!) };
          d.fault = "spend_jump";
          jump.at = d.at;
          jump.result.injectedAt = iso(d.at);
          act(jump, d.at, "client", `${d.stream} launches new campaigns: ${campaigns} instead of ${Math.round(campaigns / 1.6)} (+60 % spend), and keeps them`);
        }
      }
      queue.push(...deliveries.map((d) => ({ ...d, attempts: 0 })));
    }
    await injectFaults(now);
    await deliver(now);
    for (const f of fault("partial_upload"))
      if (!f.state.uploadId && f.state.delivery) {
        const a = accepted.find(
          (x) => x.delivery === f.state.delivery || (x.delivery.fileName === (f.state.delivery as Delivery).fileName && x.delivery.fault === "partial_upload"),
        );
        if (a) {
          f.state.uploadId = a.id;
          act(f, a.acceptedAt, "client", `${a.delivery.fileName}: ${a.expected?.invalidRows} of ${a.expected?.totalRows} rows invalid`);
        }
      }

    // The scheduler's tick: the same functions, in the same order (lib/workers/ticks.ts).
    await liftExpiredControls(pool()).catch(() => {});
    if (world.noWork) {
      const backlog = await countWaiting(pool(), ["pending", "processing"]).catch(() => 0);
      await recordWorkerRun(pool(), "parse", backlog, async () => ({ items: 0, outcome: "ok" as const })).catch(() => {});
      // The fault starts to matter when work waits: detection time counts from the first such run.
      for (const f of fault("worker_no_work"))
        if (f.state.injected && !f.state.done && backlog > 0 && !f.state.backlogSeen) {
          f.state.backlogSeen = true;
          f.at = now;
          f.result.injectedAt = iso(now);
          act(f, now, "fault", `first no-op parse run with ${backlog} upload(s) waiting`);
        }
    } else await runParse().catch(() => {});
    await runPromote().catch(() => {});
    await runCleanup().catch(() => {});
    const minute = Math.floor(now / MINUTE);
    if (minute !== lastMonitorMinute) {
      lastMonitorMinute = minute;
      await runMonitorTick().catch(() => {});
      await checkDetection(now).catch((error) => say(`detection check failed: ${error}`));
      if (!proxy.down)
        await operate(now).catch((error) => {
          operatorErrors.push(`${iso(now)} operator loop: ${error}`);
          say(`  operator loop failed: ${error}`);
        });
    }

    // Hourly samples for the chart.
    if (now - hour.at >= 3_600_000 || now + BUSY_STEP >= endMs) {
      if (!proxy.down) {
        const { rows } = await pool().query<{ alerts: number; promoted: string }>(
          `SELECT (SELECT count(*)::int FROM alerts WHERE status <> 'resolved') AS alerts, (SELECT count(*) FROM metrics)::text AS promoted`,
        );
        hour.activeAlerts = rows[0].alerts;
        hour.rowsPromoted = Number(rows[0].promoted) - promotedBefore;
        promotedBefore = Number(rows[0].promoted);
      }
      hours.push(hour);
      hour = { at: hour.at + 3_600_000, accepted: 0, refused: 0, activeAlerts: 0, rowsPromoted: 0 };
    }

    // Next step: the scheduler's 10 s tick while anything is in flight, else the next event (≤ 10 min).
    const busy =
      proxy.down ||
      queue.some((d) => d.at <= now + BUSY_STEP) ||
      faults.some(
        (f) =>
          f.state.injected &&
          !f.state.done &&
          ["db_outage", "dead_webhook", "worker_no_work", "malformed_file", "upload_spike", "alert_unacknowledged"].includes(f.id),
      ) ||
      (await pool()
        .query<{ n: number }>(
          `SELECT (SELECT count(*) FROM uploads WHERE status NOT IN ('completed', 'partial', 'failed')) + (SELECT count(*) FROM alerts WHERE status = 'open' AND severity IN ('page', 'critical')) AS n`,
        )
        .then(
          (r) => Number(r.rows[0].n) > 0,
          () => true,
        ));
    const nextEvent = Math.min(
      ...queue.map((d) => d.at),
      ...faults.filter((f) => !f.state.injected).map((f) => f.at),
      ...[...known.entries()].filter(([id]) => !handled.has(id)).map(([, k]) => k.learnedAt + 2 * MINUTE),
      (Math.floor(now / 3_600_000) + 1) * 3_600_000,
      startMs + (plannedDay + 1) * DAY_MS,
      endMs,
    );
    const target = busy ? now + BUSY_STEP : Math.max(now + BUSY_STEP, Math.min(now + IDLE_STEP, nextEvent));
    now = advanceTo(target);
    await syncSqlClock(input.clock);
    steps++;
    if (steps % 500 === 0) say(`${iso(now)} step ${steps}, ${Math.round((performance.now() - realStart) / 1000)} s real`);
  }

  // Let everything in flight settle (at most two virtual hours), so the ledger is final.
  proxy.setDown(false);
  webhook.setDead(false);
  world.noWork = false;
  for (let i = 0; i < 720; i++) {
    const n = await countWaiting(pool(), ["pending", "processing", "staged", "promoting"]);
    if (n === 0 && !queue.length) break;
    await deliver(now);
    await runParse().catch(() => {});
    await runPromote().catch(() => {});
    if (i % 6 === 0) await runMonitorTick().catch(() => {});
    now = advanceTo(now + BUSY_STEP);
    await syncSqlClock(input.clock);
  }
  await checkDetection(now);

  const ga = await computeGaFigures(pool(), { now: new Date(now) });
  const ledger = await computeLedger(accepted);
  const engineering = await pool().query<{ actor_email: string; action: string; at: Date }>(
    `SELECT actor_email, action, at FROM audit_log WHERE actor_email <> 'system' AND NOT (actor_email = ANY($1)) ORDER BY at`,
    [[...OPERATOR_EMAILS]],
  );
  const operatorActions = await pool().query<{ actor_email: string; n: number }>(
    `SELECT actor_email, count(*)::int AS n FROM audit_log GROUP BY actor_email ORDER BY actor_email`,
  );
  const alertsSummary = await pool().query<{ signal: string; severity: string; n: number; escalated: number; acknowledged: number }>(
    `SELECT signal, severity::text, count(*)::int AS n, count(*) FILTER (WHERE escalated)::int AS escalated, count(*) FILTER (WHERE acknowledged_at IS NOT NULL)::int AS acknowledged FROM alerts GROUP BY signal, severity ORDER BY signal, severity`,
  );
  const readiness = await pool().query<{ down: number; total: number }>(
    `SELECT count(*) FILTER (WHERE NOT ok)::int AS down, count(*)::int AS total FROM readiness_samples`,
  );
  const faultResults = faults.map((f) => {
    if (!f.result.detected && f.state.injected) f.result.notes.push(`not detected within ${f.result.thresholdMinutes} min`);
    if (!f.state.injected) f.result.notes.push("not injected (the run ended first)");
    return f.result;
  });
  await server.close();
  return {
    startedAt: iso(startMs),
    endedAt: iso(now),
    days,
    seed,
    realSeconds: Math.round((performance.now() - realStart) / 1000),
    steps,
    faults: faultResults,
    ledger,
    refusals,
    webhook: { delivered: webhook.messages.length, refused: webhook.refused },
    readiness: readiness.rows[0],
    alerts: alertsSummary.rows,
    engineeringInterventions: engineering.rows.map((r) => ({ at: r.at.toISOString(), actor: r.actor_email, action: r.action })),
    auditByActor: operatorActions.rows,
    operatorErrors,
    uncaughtErrors: (globalThis as unknown as { __simCrashes?: { at: string; error: string }[] }).__simCrashes ?? [],
    ga: summarizeGa(ga),
    hours,
  };
}

/**
 * Every accepted upload against what its file holds, from the database's own ledger: the upload's
 * counters, and the metric rows it wrote. A row is lost when the file had it valid and no metric row
 * of that upload holds it, or when the upload never reached a terminal state.
 */
async function computeLedger(accepted: AcceptedUpload[]) {
  const { rows } = await pool().query<{
    id: string;
    status: string;
    total_rows: number;
    valid_rows: number;
    invalid_rows: number;
    ignored_rows: number;
    metrics: string;
  }>(
    `SELECT u.id, u.status::text, u.total_rows, u.valid_rows, u.invalid_rows, u.ignored_rows, (SELECT count(*) FROM metrics m WHERE m.upload_id = u.id)::text AS metrics FROM uploads u`,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  let received = 0;
  let promoted = 0;
  let invalid = 0;
  let ignored = 0;
  let lost = 0;
  let malformed = 0;
  const problems: string[] = [];
  for (const a of accepted) {
    const u = byId.get(a.id);
    if (!u) {
      lost += a.expected?.validRows ?? 0;
      problems.push(`${a.id} (${a.delivery.fileName}) accepted but missing`);
      continue;
    }
    if (!a.expected) {
      malformed++;
      if (u.status !== "failed") problems.push(`${a.id} (${a.delivery.fileName}) malformed but ${u.status}`);
      continue;
    }
    received += a.expected.totalRows;
    invalid += u.invalid_rows;
    ignored += u.ignored_rows;
    const written = Number(u.metrics);
    promoted += written;
    if (!["completed", "partial"].includes(u.status)) {
      lost += a.expected.validRows - written;
      problems.push(`${a.id} (${a.delivery.fileName}) ended ${u.status}`);
      continue;
    }
    if (written < a.expected.validRows) {
      lost += a.expected.validRows - written;
      problems.push(`${a.id} (${a.delivery.fileName}) wrote ${written} of ${a.expected.validRows} valid rows`);
    }
    if (
      u.total_rows !== a.expected.totalRows ||
      u.valid_rows !== a.expected.validRows ||
      u.invalid_rows !== a.expected.invalidRows ||
      u.ignored_rows !== a.expected.ignoredRows
    )
      problems.push(
        `${a.id} (${a.delivery.fileName}) counters ${u.total_rows}/${u.valid_rows}/${u.invalid_rows}/${u.ignored_rows}, file ${a.expected.totalRows}/${a.expected.validRows}/${a.expected.invalidRows}/${a.expected.ignoredRows}`,
      );
  }
  const duplicateMetrics = await pool().query<{ n: string }>(
    `SELECT count(*)::text AS n FROM (SELECT 1 FROM metrics GROUP BY workspace_id, platform, date, campaign_id HAVING count(*) > 1) d`,
  );
  return {
    uploadsAccepted: accepted.length,
    malformedUploads: malformed,
    rowsReceived: received,
    rowsPromoted: promoted,
    rowsInvalid: invalid,
    rowsIgnored: ignored,
    rowsLost: lost,
    duplicateMetricRows: Number(duplicateMetrics.rows[0].n),
    problems,
  };
}

function summarizeGa(ga: GaFigures) {
  return {
    window: ga.window,
    allPass: ga.allPass,
    figures: Object.values(ga.figures).map((f) => ({ key: f.key, label: f.label, display: f.display, target: f.target, status: f.status })),
    daily: ga.daily,
    interventions: ga.interventions,
    breakerTrips: ga.breakerTrips.length,
    context: ga.context,
  };
}
