-- The date span of each upload's staged rows, kept by the parse worker with its checkpoint, so that
-- promotion finds the metrics it may overlap without scanning the upload's staging rows.
ALTER TABLE "uploads" ADD COLUMN "first_date" DATE, ADD COLUMN "last_date" DATE;

-- Uploads staged before this migration: their span from what they hold.
UPDATE "uploads" u SET "first_date" = s.lo, "last_date" = s.hi
  FROM (SELECT upload_id, min(date) AS lo, max(date) AS hi FROM "staging_rows" GROUP BY upload_id) s
 WHERE s.upload_id = u.id;
