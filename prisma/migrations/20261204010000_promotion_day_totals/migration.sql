-- D10-01 as the promotion saw it: each day of the upload's span (and the day before), the day's total
-- spend in production right after the promotion, and whether the promotion changed a row of it. The
-- monitor compares these at its own threshold and re-reads metrics only for the days that moved, instead
-- of every metric of every recent upload once a minute.
CREATE TABLE "promotion_day_totals" (
    "upload_id" UUID NOT NULL,
    "date" DATE NOT NULL,
    "total" DECIMAL(24,6) NOT NULL,
    "written" BOOLEAN NOT NULL,

    CONSTRAINT "promotion_day_totals_pkey" PRIMARY KEY ("upload_id","date")
);
ALTER TABLE "promotion_day_totals" ADD CONSTRAINT "promotion_day_totals_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "uploads"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
