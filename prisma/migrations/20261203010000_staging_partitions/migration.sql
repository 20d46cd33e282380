-- Honest timestamps: an upload event is stamped when it is written, not when its transaction began.
ALTER TABLE "upload_events" ALTER COLUMN "created_at" SET DEFAULT clock_timestamp();

-- The schedulers of every instance listen on ingestion_work: an upload received, or staged, is
-- announced at its commit, so that the next step starts at once rather than at the next interval.
CREATE FUNCTION notify_ingestion_work() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_notify(''ingestion_work'', NEW.status::text)\073
  RETURN NULL\073
END';
CREATE TRIGGER "uploads_ingestion_work" AFTER INSERT OR UPDATE OF "status" ON "uploads"
  FOR EACH ROW WHEN (NEW.status IN ('pending', 'staged')) EXECUTE FUNCTION notify_ingestion_work();

-- Staging layout (docs/architecture.md, "Staging layout"): logged rows (D10-02 keeps a partial
-- upload's rows across a crash), range-partitioned by the upload's arrival day (UTC), with a BRIN
-- bloom index on upload_id instead of the per-row B-tree of the primary key. A resumed parse never
-- duplicates a line because each batch commits with its checkpoint, and cleanup drops whole partitions.
-- (The rows staged so far are set aside without constraints, so that the new table's take their names.)
CREATE TABLE "staging_rows_before" AS SELECT * FROM "staging_rows";
DROP TABLE "staging_rows";

CREATE TABLE "staging_rows" (
    "upload_id" UUID NOT NULL,
    "arrived_on" DATE NOT NULL,
    "line_no" INTEGER NOT NULL,
    "date" DATE NOT NULL,
    "campaign_id" TEXT NOT NULL,
    "campaign_name" TEXT NOT NULL,
    "spend" DECIMAL(20,6) NOT NULL,
    "impressions" BIGINT NOT NULL,
    "clicks" BIGINT NOT NULL,
    "conversions" DECIMAL(20,6) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
) PARTITION BY RANGE ("arrived_on");

CREATE INDEX "staging_rows_upload_id_idx" ON "staging_rows" USING BRIN ("upload_id" uuid_bloom_ops);

-- Prisma's driver adapter runs a migration split at every semicolon, dollar quotes or not: the
-- PL/pgSQL bodies below are E'' strings whose statement ends are written \073.

-- The UTC day an upload arrived on: the partition that holds its staging rows.
CREATE FUNCTION staging_day(arrived timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT (arrived AT TIME ZONE 'UTC')::date $$;

-- Creates the partition of one day unless it exists, and answers whether it created it. Attached after
-- creation, which locks the parent only against other schema changes, not against COPY or reads.
CREATE FUNCTION staging_partition_ensure(day date) RETURNS boolean LANGUAGE plpgsql AS E'
DECLARE
  part text := ''staging_rows_p'' || to_char(day, ''YYYYMMDD'')\073
BEGIN
  IF to_regclass(part) IS NOT NULL THEN RETURN false\073 END IF\073
  PERFORM pg_advisory_xact_lock(hashtextextended(''staging_rows partitions'', 0))\073
  IF to_regclass(part) IS NOT NULL THEN RETURN false\073 END IF\073
  -- Rows are written once, read by one promotion and dropped with their partition: vacuuming them
  -- because they were inserted is wasted work (deletes and analyze still trigger autovacuum).
  EXECUTE format(''CREATE TABLE %I (LIKE staging_rows INCLUDING DEFAULTS) WITH (autovacuum_vacuum_insert_threshold = -1)'', part)\073
  EXECUTE format(''ALTER TABLE %I ADD CONSTRAINT %I CHECK (arrived_on >= %L AND arrived_on < %L)'', part, part || ''_bounds'', day, day + 1)\073
  EXECUTE format(''ALTER TABLE staging_rows ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)'', part, day, day + 1)\073
  EXECUTE format(''ALTER TABLE %I DROP CONSTRAINT %I'', part, part || ''_bounds'')\073
  RETURN true\073
END ';

-- Drops the partition of one day if every upload that arrived that day is finished and keeps no
-- staging rows it must (a partial or failed upload's rows, D10-02, or a completed upload's within
-- `retention`), in one compare-and-set: the day's uploads are locked, their counters zeroed with the
-- drop. Answers the staged rows released, or NULL when the day must stay (or has no partition).
CREATE FUNCTION staging_partition_drop(day date, retention interval) RETURNS bigint LANGUAGE plpgsql AS E'
DECLARE
  part text := ''staging_rows_p'' || to_char(day, ''YYYYMMDD'')\073
  lo timestamptz := day::timestamp AT TIME ZONE ''UTC''\073
  released bigint\073
BEGIN
  IF now() < lo + interval ''1 day 1 hour'' THEN RETURN NULL\073 END IF\073 -- an upload that arrived just before midnight may not have committed yet
  PERFORM pg_advisory_xact_lock(hashtextextended(''staging_rows partitions'', 0))\073
  IF to_regclass(part) IS NULL THEN RETURN NULL\073 END IF\073
  -- Dropping a partition locks the parent: wait for a batch in flight, not behind a long one.
  PERFORM set_config(''lock_timeout'', ''2s'', true)\073
  PERFORM 1 FROM uploads WHERE created_at >= lo AND created_at < lo + interval ''1 day'' FOR UPDATE\073
  IF EXISTS (SELECT 1 FROM uploads
              WHERE created_at >= lo AND created_at < lo + interval ''1 day''
                AND (status NOT IN (''completed'', ''partial'', ''failed'')
                     OR (staged_rows > 0 AND NOT (status = ''completed'' AND completed_at < now() - retention)))) THEN
    RETURN NULL\073
  END IF\073
  SELECT coalesce(sum(staged_rows), 0) INTO released FROM uploads WHERE created_at >= lo AND created_at < lo + interval ''1 day'' AND staged_rows > 0\073
  UPDATE uploads SET staged_rows = 0, updated_at = now() WHERE created_at >= lo AND created_at < lo + interval ''1 day'' AND staged_rows > 0\073
  EXECUTE format(''DROP TABLE %I'', part)\073
  RETURN released\073
END ';

-- The rows staged so far, each in its upload's day.
DO E'
DECLARE d date\073
BEGIN
  FOR d IN SELECT DISTINCT staging_day(u.created_at) FROM uploads u WHERE EXISTS (SELECT 1 FROM staging_rows_before s WHERE s.upload_id = u.id)
           UNION SELECT staging_day(now()) UNION SELECT staging_day(now()) + 1 LOOP
    PERFORM staging_partition_ensure(d)\073
  END LOOP\073
END ';
INSERT INTO "staging_rows" (upload_id, arrived_on, line_no, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency, created_at)
SELECT s.upload_id, staging_day(u.created_at), s.line_no, s.date, s.campaign_id, s.campaign_name, s.spend, s.impressions, s.clicks, s.conversions, s.currency, s.created_at
  FROM "staging_rows_before" s JOIN uploads u ON u.id = s.upload_id
 ORDER BY s.upload_id, s.line_no;
DROP TABLE "staging_rows_before";

-- D10-01's day totals, summed by the parser while it stages (for uploads in flight now, from their staged rows).
CREATE TABLE "upload_day_totals" (
    "upload_id" UUID NOT NULL,
    "date" DATE NOT NULL,
    "spend" DECIMAL(24,6) NOT NULL,

    CONSTRAINT "upload_day_totals_pkey" PRIMARY KEY ("upload_id","date")
);
ALTER TABLE "upload_day_totals" ADD CONSTRAINT "upload_day_totals_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "uploads"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
INSERT INTO "upload_day_totals" (upload_id, date, spend)
SELECT s.upload_id, s.date, sum(s.spend) FROM "staging_rows" s JOIN uploads u ON u.id = s.upload_id
 WHERE u.status IN ('processing', 'staged', 'promoting') GROUP BY s.upload_id, s.date;
