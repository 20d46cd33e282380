-- Staging rows are written once, read by one promotion and deleted within the retention: vacuuming
-- them because they were inserted (to set visibility and freeze bits) is wasted work, and it lands
-- while the upload is still being parsed or promoted. Vacuum after the cleanup's deletes, and
-- analyze, stay as they were.
ALTER TABLE "staging_rows" SET (autovacuum_vacuum_insert_threshold = -1);
