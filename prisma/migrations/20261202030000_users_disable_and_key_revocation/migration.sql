-- Users and keys can be taken away (issue 11.5): a disabled user is refused on every request, and every
-- session token carries the session version it was issued under (bumped on disable / "sign out everywhere").
-- A revoked API key records who revoked it and why.
-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "revoke_reason" TEXT,
ADD COLUMN     "revoked_by" TEXT;

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "disabled_at" TIMESTAMPTZ(3),
ADD COLUMN     "disabled_by" TEXT,
ADD COLUMN     "disabled_reason" TEXT,
ADD COLUMN     "last_sign_in_at" TIMESTAMPTZ(3),
ADD COLUMN     "session_version" INTEGER NOT NULL DEFAULT 1;

