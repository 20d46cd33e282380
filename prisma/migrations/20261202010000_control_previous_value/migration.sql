-- What a control reverts to when a temporary change expires: a rollout change with "revert
-- automatically at" restores the phase in force before it instead of an empty P0 allowlist.
ALTER TABLE "ingestion_controls" ADD COLUMN "previous_value" JSONB;
