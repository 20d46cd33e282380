import type { Queryable } from "@/lib/db/sql";
import { notFound } from "@/lib/errors";
import { parseUuid } from "@/lib/db/ids";
import { toUploadDto, UPLOAD_DTO_COLUMNS, type UploadDto } from "./upload-dto";

/** An upload of this workspace; another workspace's upload is "not found", never "forbidden". */
export async function getUploadForWorkspace(db: Queryable, workspaceId: string, uploadId: string): Promise<UploadDto> {
  const { rows } = await db.query(`SELECT ${UPLOAD_DTO_COLUMNS} FROM uploads WHERE id = $1 AND workspace_id = $2`, [
    parseUuid(uploadId, `Upload ${uploadId}`),
    workspaceId,
  ]);
  if (!rows[0]) throw notFound(`Upload ${uploadId}`);
  return toUploadDto(rows[0]);
}
