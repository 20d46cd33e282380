-- Sign-in throttling (failed attempts per email and per client address, one row per key and window)
-- and the SSO identity a user is linked to by the provider's stable `sub`.
CREATE TABLE "sign_in_throttles" (
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "window_started_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sign_in_throttles_pkey" PRIMARY KEY ("scope","key")
);

CREATE INDEX "sign_in_throttles_window_started_at_idx" ON "sign_in_throttles"("window_started_at");

ALTER TABLE "users" ADD COLUMN "oidc_sub" TEXT;

CREATE UNIQUE INDEX "users_oidc_sub_key" ON "users"("oidc_sub");
