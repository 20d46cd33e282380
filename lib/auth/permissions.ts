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
  /** Write an incident's postmortem draft (issue #6). */
  "postmortem.write",
  "users.manage",
  /** D10-10: release a stuck upload's lease so the next worker resumes it from its checkpoint. */
  "upload.resume",
  /** D8 §1: tick a Day-0 checklist item under one's own name, run the synthetic test upload. */
  "launch.check",
  /** D8 §1.5: record the go/no-go decision. */
  "launch.decide",
] as const;
export type Action = (typeof ACTIONS)[number];

const operator: Action[] = ["console.view", "alert.acknowledge", "runbook.execute", "postmortem.write"];

const MATRIX: Record<Role, readonly Action[]> = {
  viewer: ["console.view"],
  oncall: [...operator, "controls.drain", "controls.halt_p1", "controls.resume", "controls.workspace_pause", "upload.force_fail", "cleanup.request", "upload.resume", "launch.check"],
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
  pm: ["console.view", "ga.sign_pm", "launch.check", "launch.decide"],
  support_lead: ["console.view", "partial.acknowledge", "alert.acknowledge"],
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

export type Actor = { roles: readonly Role[]; killSwitchSuspended?: boolean };

export type Decision = { allowed: true } | { allowed: false; reason: string };

export function rolesFor(action: Action): Role[] {
  return ROLES.filter((role) => MATRIX[role].includes(action));
}

export function decide(actor: Actor, action: Action): Decision {
  if (!actor.roles.some((role) => MATRIX[role].includes(action))) {
    return { allowed: false, reason: `requires ${rolesFor(action).join(" or ")}` };
  }
  if (actor.killSwitchSuspended && KILL_SWITCH_ACTIONS.includes(action)) {
    return { allowed: false, reason: "your kill-switch privileges are suspended" };
  }
  return { allowed: true };
}

export function can(actor: Actor, action: Action): boolean {
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
export function decideHalt(actor: Actor, severity: Severity | null | undefined): ({ allowed: true; authority: HaltAuthority }) | { allowed: false; reason: string } {
  const full = decide(actor, "controls.halt");
  if (full.allowed) return { allowed: true, authority: "controls.halt" };
  const p1 = decide(actor, "controls.halt_p1");
  // A refusal of the P1 privilege to someone who holds it can only be their suspension: say so.
  if (!p1.allowed) return actor.roles.some((role) => MATRIX[role].includes("controls.halt_p1")) ? p1 : full;
  if (severity !== "P1") return { allowed: false, reason: "on-call may halt, or lift an on-call halt, only while declaring a P1" };
  return { allowed: true, authority: "controls.halt_p1" };
}

/**
 * Lifting (or replacing) a halt: one set under the halt privilege needs that privilege — on-call cannot
 * undo an SRE lead's or ingestion owner's halt — while an on-call P1 halt may be lifted by anyone who could set it.
 */
export function decideLiftHalt(actor: Actor, severity: Severity | null | undefined, setUnder: HaltAuthority): Decision {
  const decision = setUnder === "controls.halt" ? decide(actor, "controls.halt") : decideHalt(actor, severity);
  return decision.allowed ? { allowed: true } : decision;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
