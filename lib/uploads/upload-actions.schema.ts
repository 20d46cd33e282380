import { z } from "zod";
import { UPLOAD_STATUSES } from "./transition";

const accountable = { reason: z.string().trim().max(500).nullish(), incidentId: z.string().trim().max(64).nullish() };

export const forceFailSchema = z.object({ ...accountable, expectedStatus: z.enum(UPLOAD_STATUSES) });
export const cleanupRequestSchema = z.object({ ...accountable, uploadIds: z.array(z.uuid()).min(1).max(500) });
export const cleanupApproveSchema = z.object(accountable);
export const resumeSchema = z.object({ ...accountable, expectedStatus: z.enum(UPLOAD_STATUSES), expectedLockedBy: z.string().nullable() });
