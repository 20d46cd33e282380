import type { Platform, Role, UploadSource, UploadStatus } from "@/generated/prisma/enums";

/**
 * The row of a table as raw SQL returns it (snake_case columns; BIGINT as string). One type per table;
 * a query that selects some columns types its rows as `Pick<XRow, …>`, so a renamed or retyped column
 * breaks every query of it at compile time. Keep in step with prisma/schema.prisma.
 */

export type UploadsRow = {
  id: string;
  workspace_id: string;
  platform: Platform;
  source: UploadSource;
  file_name: string;
  size_bytes: string;
  sha256: string;
  storage_key: string;
  status: UploadStatus;
  total_rows: number;
  valid_rows: number;
  invalid_rows: number;
  ignored_rows: number;
  promoted_rows: number;
  staged_rows: number;
  parsed_records: number;
  first_date: Date | null;
  last_date: Date | null;
  error_code: string | null;
  error_text: string | null;
  attempts: number;
  locked_by: string | null;
  lease_expires_at: Date | null;
  rerun_blocked: boolean;
  created_at: Date;
  started_at: Date | null;
  staged_at: Date | null;
  promoting_at: Date | null;
  completed_at: Date | null;
  failed_at: Date | null;
  updated_at: Date;
};

export type UsersRow = {
  id: string;
  email: string;
  name: string | null;
  password_hash: string | null;
  /** Selected as `roles::text[] AS roles` (pg returns an enum array as text otherwise). */
  roles: Role[];
  kill_switch_suspended: boolean;
  oidc_sub: string | null;
  created_at: Date;
  disabled_at: Date | null;
  disabled_by: string | null;
  disabled_reason: string | null;
  session_version: number;
  last_sign_in_at: Date | null;
};

export type IngestionControlsRow = {
  key: string;
  value: unknown;
  previous_value: unknown;
  version: number;
  set_by: string;
  set_at: Date;
  reason: string | null;
  incident_id: string | null;
  expires_at: Date | null;
};
