-- Leaner staging rows (docs/architecture.md, "Staging layout"): every byte and every field a row
-- carries is paid for by each COPY.
-- created_at was the insert time of every row, read by nothing (the upload has its own times).
ALTER TABLE "staging_rows" DROP COLUMN "created_at";

-- Each partition's arrived_on defaults to its own day, so the parse worker's COPY into the partition
-- leaves the column out instead of sending the same date on every row (a default that is a constant is
-- evaluated once per statement). Inserts through the parent still name it.
CREATE OR REPLACE FUNCTION staging_partition_ensure(day date) RETURNS boolean LANGUAGE plpgsql AS E'
DECLARE
  part text := ''staging_rows_p'' || to_char(day, ''YYYYMMDD'')\073
BEGIN
  IF to_regclass(part) IS NOT NULL THEN RETURN false\073 END IF\073
  PERFORM pg_advisory_xact_lock(hashtextextended(''staging_rows partitions'', 0))\073
  IF to_regclass(part) IS NOT NULL THEN RETURN false\073 END IF\073
  -- Rows are written once, read by one promotion and dropped with their partition: vacuuming them
  -- because they were inserted is wasted work (deletes and analyze still trigger autovacuum).
  EXECUTE format(''CREATE TABLE %I (LIKE staging_rows INCLUDING DEFAULTS) WITH (autovacuum_vacuum_insert_threshold = -1)'', part)\073
  EXECUTE format(''ALTER TABLE %I ALTER COLUMN arrived_on SET DEFAULT %L::date'', part, day)\073
  EXECUTE format(''ALTER TABLE %I ADD CONSTRAINT %I CHECK (arrived_on >= %L AND arrived_on < %L)'', part, part || ''_bounds'', day, day + 1)\073
  EXECUTE format(''ALTER TABLE staging_rows ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)'', part, day, day + 1)\073
  EXECUTE format(''ALTER TABLE %I DROP CONSTRAINT %I'', part, part || ''_bounds'')\073
  RETURN true\073
END ';

-- The partitions that exist already.
DO E'
DECLARE p record\073
BEGIN
  FOR p IN SELECT c.relname, to_date(substr(c.relname, 15), ''YYYYMMDD'') AS day
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ''staging_rows''::regclass LOOP
    EXECUTE format(''ALTER TABLE %I ALTER COLUMN arrived_on SET DEFAULT %L::date'', p.relname, p.day)\073
  END LOOP\073
END ';
