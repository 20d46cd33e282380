import { z } from "zod";
import { SEVERITIES } from "@/lib/auth/permissions";
import { MODES, PHASES, WORKERS } from "./controls";

/** Shared fields of every control change; the incident ID is checked (and a refusal audited) by the domain. */
const change = {
  reason: z.string().trim().max(500).default(""),
  incidentId: z.string().trim().max(64).nullish(),
  expiresAt: z.coerce.date().nullish(),
};
const versioned = { ...change, expectedVersion: z.number().int().min(0) };

export const modeChangeSchema = z.object({ ...versioned, mode: z.enum(MODES), severity: z.enum(SEVERITIES).nullish() });
export const freezeChangeSchema = z.object({ ...versioned, worker: z.enum(WORKERS), frozen: z.boolean() });
export const rolloutChangeSchema = z.object({ ...versioned, phase: z.enum(PHASES), allowlist: z.array(z.string().trim().min(1)).max(500) });
export const workspacePauseSchema = z.object({ ...change, paused: z.boolean() });
export const killSwitchSchema = z.object({ ...change, suspended: z.boolean() });
