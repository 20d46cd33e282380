import type { Actor } from "./actor";
/**
 * The permission matrix: the only place that says who may do what. Every page, route handler and
 * worker-facing action checks it on the server; the UI only reflects it.
 */
export const ROLES = ["viewer", "oncall", "sre_lead", "ingestion_owner", "pm", "support_lead", "eng_lead", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  "console.view",
  "controls.drain",
  "controls.halt",
  /** On-call may halt only while declaring a P1 (D8/D10-09). */
  "controls.halt_p1",
  "controls.resume",
  "controls.freeze_worker",
  "controls.workspace_pause",
  "controls.rollout",
  "controls.suspend_kill_switch",
  "upload.force_fail",
  "cleanup.request",
  "cleanup.approve",
  "alert.acknowledge",
  "partial.acknowledge",
  "ga.sign_pm",
  "ga.sign_eng",
  "ga.sign_sre",
  "runbook.execute",
  /** Run only the runbooks whose owner is one of your roles (decideRunbook). */
  "runbook.execute_own",
  /** Write an incident's postmortem draft (issue #6). */
  "postmortem.write",
  /** D10-04: record an alert rule's silence as an ACCEPTED UNKNOWN. */
  "incident.accept_unknown",
  /** D10-06: the on-call roster (primary and secondary per period). */
  "roster.edit",
  "users.manage",
  /** D10-10: release a stuck upload's lease so the next worker resumes it from its checkpoint. */
  "upload.resume",
  /** D8 §1: tick a Day-0 checklist item under one's own name, run the synthetic test upload. */
  "launch.check",
  /** D8 §1.5: record the go/no-go decision. */
  "launch.decide",
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * What each action lets a person do, and the seed decision it follows: the "Who may do what" page and
 * docs/roles.md are generated from this, so the rule and its reason live in one place.
 */
export const ACTION_INFO: Record<Action, { description: string; seed: string }> = {
  "console.view": {
    description: "See every console page: uploads, staging, alerts, controls, audit, runbooks.",
    seed: "DESIGN §5: every role reads the console",
  },
  "controls.drain": {
    description: "PAUSE: drain ingestion (reject new uploads, let in-flight finish).",
    seed: "D10 §8 data incorrect / missing / duplicated → PAUSE, On-Call; D8 §4.1",
  },
  "controls.halt": { description: "Halt every worker transition (the kill switch) at any time.", seed: "D10-09 hard stop, SRE Lead + Ingestion Owner" },
  "controls.halt_p1": { description: "Halt, but only while declaring a P1 (and lift only such a halt).", seed: "D10-09: incident P1, all ingestion halted" },
  "controls.resume": {
    description: "Resume ingestion after a drain (a halt needs the authority it was set under).",
    seed: "D8 §4.1 pause procedure is reversible",
  },
  "controls.freeze_worker": {
    description: "STOP: freeze one worker (e.g. promotion only) without declaring a P1.",
    seed: "D10 §8 worker unhealthy → STOP, On-Call; D10-01 freeze promotion",
  },
  "controls.workspace_pause": { description: "PAUSE one workspace's ingestion.", seed: "D10 §8 → PAUSE, On-Call; D10-06 auto-pause" },
  "controls.rollout": { description: "Change the rollout phase and its workspace allowlist.", seed: "D8 §2 rollout phases, Eng Lead / Ingestion Owner" },
  "controls.suspend_kill_switch": { description: "Suspend or restore a user's kill-switch privileges.", seed: "D10-05 hard stop, SRE Lead" },
  "upload.force_fail": { description: "Abort a stuck upload (force-fail); never promote it.", seed: "D10-10 decide resume vs abort, On-Call Primary" },
  "cleanup.request": { description: "Request a staging cleanup with its dry-run preview.", seed: "D10-08 manual cleanup using D8 procedure" },
  "cleanup.approve": { description: "Approve someone else's staging cleanup (never your own).", seed: "D10-08 no automatic deletes without review" },
  "alert.acknowledge": {
    description: "Acknowledge an alert (stops its escalation), add notes, mark its outcome.",
    seed: "D10-06 alert acknowledged within 15 minutes",
  },
  "partial.acknowledge": { description: "Acknowledge a partial promotion with the ticket / note sent to the client.", seed: "D10-02 notify Support Lead" },
  "ga.sign_pm": { description: "Sign the PM line of the GA sign-off.", seed: "D8 §6.3 approval, Product Manager" },
  "ga.sign_eng": { description: "Sign the engineering line of the GA sign-off.", seed: "D8 §6.3 approval, Engineering Lead" },
  "ga.sign_sre": { description: "Sign the SRE line of the GA sign-off.", seed: "D8 §6.3 approval, SRE Lead" },
  "runbook.execute": { description: "Run any runbook and record its steps.", seed: "Iteration 06: runbooks executable by ops" },
  "runbook.execute_own": {
    description: "Run the runbooks your role owns (the Support Lead's D10-02, the PM's D10-04).",
    seed: "D10-02 Support Lead; D10-04 Product Manager",
  },
  "postmortem.write": { description: "DOCUMENT: write an incident's postmortem.", seed: "D10 §8 alert silent → DOCUMENT, PM; Iteration 06 document step" },
  "incident.accept_unknown": {
    description: "DOCUMENT: record an alert rule's silence as an ACCEPTED UNKNOWN, with its impact.",
    seed: "D10-04 acknowledge as ACCEPTED UNKNOWN, Product Manager",
  },
  "roster.edit": {
    description: "Edit the on-call roster (primary and secondary per period) and Slack IDs.",
    seed: "D10-06 escalate to Secondary; D9 ownership",
  },
  "users.manage": { description: "Create users, change their roles, disable them, revoke API keys.", seed: "DESIGN §5 admin runs the system" },
  "upload.resume": {
    description: "Release a stuck upload's lease so the next worker resumes it from its checkpoint (never promotes).",
    seed: "D10-10 stuck upload: resume",
  },
  "launch.check": { description: "Tick a Day-0 checklist item under your own name on the Launch page.", seed: "D8 §1 Day-0 checklist" },
  "launch.decide": { description: "Record the go/no-go decision (go only when every item is done).", seed: "D8 §1.5 go/no-go" },
};

const operator: Action[] = ["console.view", "alert.acknowledge", "runbook.execute", "runbook.execute_own", "postmortem.write"];

const MATRIX: Record<Role, readonly Action[]> = {
  viewer: ["console.view"],
  // D10 §8: on-call may PAUSE (drain, workspace pause) and STOP (freeze a worker) without declaring a P1.
  oncall: [
    ...operator,
    "controls.drain",
    "controls.halt_p1",
    "controls.resume",
    "controls.freeze_worker",
    "controls.workspace_pause",
    "upload.force_fail",
    "cleanup.request",
    "upload.resume",
    "launch.check",
  ],
  sre_lead: [
    ...operator,
    "controls.drain",
    "controls.halt",
    "controls.resume",
    "controls.freeze_worker",
    "controls.workspace_pause",
    "controls.suspend_kill_switch",
    "upload.force_fail",
    "cleanup.request",
    "cleanup.approve",
    "ga.sign_sre",
    "roster.edit",
    "upload.resume",
    "launch.check",
  ],
  ingestion_owner: [
    ...operator,
    "controls.drain",
    "controls.halt",
    "controls.resume",
    "controls.freeze_worker",
    "controls.workspace_pause",
    "controls.rollout",
    "upload.force_fail",
    "cleanup.approve",
    "upload.resume",
    "launch.check",
  ],
  // D10 §8 alert silent → DOCUMENT (D10-04): the PM writes the postmortem and records accepted unknowns.
  pm: ["console.view", "ga.sign_pm", "postmortem.write", "incident.accept_unknown", "runbook.execute_own", "launch.check", "launch.decide"],
  // D10-02: the Support Lead acknowledges partials and runs the runbooks of their scenarios.
  support_lead: ["console.view", "partial.acknowledge", "alert.acknowledge", "runbook.execute_own"],
  eng_lead: ["console.view", "controls.rollout", "ga.sign_eng", "postmortem.write", "launch.check", "launch.decide"],
  // Admin runs the system but signs nobody else's GA line.
  admin: [
    ...operator,
    "controls.drain",
    "controls.halt",
    "controls.resume",
    "controls.freeze_worker",
    "controls.workspace_pause",
    "controls.rollout",
    "controls.suspend_kill_switch",
    "upload.force_fail",
    "cleanup.request",
    "cleanup.approve",
    "partial.acknowledge",
    "users.manage",
    "upload.resume",
    "launch.check",
  ],
};

/**
 * Actions that are kill-switch privileges: refused while the user's privileges are suspended (D10-05).
 * Suspending and restoring are among them, so a suspended user can neither lift their own suspension
 * nor anyone else's.
 */
export const KILL_SWITCH_ACTIONS: readonly Action[] = [
  "controls.drain",
  "controls.halt",
  "controls.halt_p1",
  "controls.resume",
  "controls.freeze_worker",
  "controls.workspace_pause",
  "controls.rollout",
  "controls.suspend_kill_switch",
];

/** What a decision reads of the actor: the roles and the kill-switch state. */
type Deciding = Pick<Actor, "roles" | "killSwitchSuspended">;

export type Decision = { allowed: true } | { allowed: false; reason: string };

export function rolesFor(action: Action): Role[] {
  return ROLES.filter((role) => MATRIX[role].includes(action));
}

export function decide(actor: Deciding, action: Action): Decision {
  // The system's and the CLI's markers are not roles: they are granted nothing here.
  if (!actor.roles.some((role) => isRole(role) && MATRIX[role].includes(action))) {
    return { allowed: false, reason: `requires ${rolesFor(action).join(" or ")}` };
  }
  if (actor.killSwitchSuspended && KILL_SWITCH_ACTIONS.includes(action)) {
    return { allowed: false, reason: "your kill-switch privileges are suspended" };
  }
  return { allowed: true };
}

export function can(actor: Deciding, action: Action): boolean {
  return decide(actor, action).allowed;
}

export const SEVERITIES = ["P1", "P2", "P3", "P4"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The privilege a halt was set under: the halt privilege itself, or on-call's during a declared P1. */
export type HaltAuthority = "controls.halt" | "controls.halt_p1";

/**
 * Setting a halt (D10-09): the halt privilege, or on-call's while declaring a P1. An allowed decision
 * names the authority the halt is set under, so that lifting it can be judged later.
 */
export function decideHalt(
  actor: Deciding,
  severity: Severity | null | undefined,
): { allowed: true; authority: HaltAuthority } | { allowed: false; reason: string } {
  const full = decide(actor, "controls.halt");
  if (full.allowed) return { allowed: true, authority: "controls.halt" };
  const p1 = decide(actor, "controls.halt_p1");
  // A refusal of the P1 privilege to someone who holds it can only be their suspension: say so.
  if (!p1.allowed) return actor.roles.some((role) => isRole(role) && MATRIX[role].includes("controls.halt_p1")) ? p1 : full;
  if (severity !== "P1") return { allowed: false, reason: "on-call may halt, or lift an on-call halt, only while declaring a P1" };
  return { allowed: true, authority: "controls.halt_p1" };
}

/**
 * Lifting (or replacing) a halt: one set under the halt privilege needs that privilege — on-call cannot
 * undo an SRE lead's or ingestion owner's halt — while an on-call P1 halt may be lifted by anyone who could set it.
 */
export function decideLiftHalt(actor: Deciding, severity: Severity | null | undefined, setUnder: HaltAuthority): Decision {
  const decision = setUnder === "controls.halt" ? decide(actor, "controls.halt") : decideHalt(actor, severity);
  return decision.allowed ? { allowed: true } : decision;
}

/**
 * Running a runbook: anyone with `runbook.execute`, or a holder of `runbook.execute_own` when the
 * runbook's owner is one of their roles (the Support Lead runs D10-02, not D10-09).
 */
export function decideRunbook(actor: Deciding, owner: Role): Decision {
  const any = decide(actor, "runbook.execute");
  if (any.allowed) return any;
  const own = decide(actor, "runbook.execute_own");
  if (!own.allowed) return any;
  if (actor.roles.includes(owner)) return { allowed: true };
  return {
    allowed: false,
    reason: `this runbook belongs to ${owner}; you may run only the runbooks of your roles (${actor.roles.join(", ")}), or ask ${rolesFor("runbook.execute").join(" or ")}`,
  };
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
