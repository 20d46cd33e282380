import bcrypt from "bcryptjs";
import { randomBytes } from "node:crypto";

const COST = 10;

export const hashPassword = (password: string) => bcrypt.hash(password, COST);

// A hash of a random password nobody knows, made once per process with the same cost as real ones.
let standIn: Promise<string> | undefined;
const standInHash = () => (standIn ??= bcrypt.hash(randomBytes(24).toString("base64url"), COST));

/**
 * True when `password` matches `hash`. Without a hash (an unknown email, an SSO-only user) it still
 * runs one bcrypt comparison of the same cost and answers false, so the time taken does not tell
 * which accounts exist.
 */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  const matches = await bcrypt.compare(password, hash ?? (await standInHash()));
  return matches && Boolean(hash);
}
