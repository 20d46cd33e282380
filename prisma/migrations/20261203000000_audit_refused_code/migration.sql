-- Refusals keep the refusing error's stable code beside its message: signals key on the code
-- (kill_switch_unaccountable counts INCIDENT_ID_REQUIRED / BAD_INCIDENT_ID), so rewording a message
-- can never silence a paging signal.
ALTER TABLE "audit_log" ADD COLUMN "refused_code" TEXT;

-- Earlier refusals: their codes, recovered once from the messages of the time. The append-only
-- trigger is lifted for this one statement only, inside the migration's transaction.
ALTER TABLE "audit_log" DISABLE TRIGGER audit_log_no_update_delete;
UPDATE "audit_log" SET "refused_code" = CASE
    WHEN "refused_reason" ILIKE '%incident id is required%' THEN 'INCIDENT_ID_REQUIRED'
    WHEN "refused_reason" ILIKE '%incident id%expected form%' THEN 'BAD_INCIDENT_ID'
    WHEN "refused_reason" ILIKE '%reason is required%' THEN 'REASON_REQUIRED'
    WHEN "refused_reason" ILIKE 'requires %' THEN 'FORBIDDEN'
    ELSE 'REFUSED' END
  WHERE "outcome" = 'refused';
ALTER TABLE "audit_log" ENABLE TRIGGER audit_log_no_update_delete;
