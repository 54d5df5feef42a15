import type { Conn } from '../platform/db/index.js';

/** A workflow version as first released: its content fingerprint and when. */
export interface ReleasedVersion {
  workflowId: string;
  version: number;
  contentHash: string;
  releasedAt: string;
}

const releaseKey = (workflowId: string, version: number): string => `${workflowId}@${version}`;

export async function listReleased(conn: Conn): Promise<Map<string, ReleasedVersion>> {
  const rows = await conn
    .selectFrom('released_versions')
    .select(['workflow_id', 'version', 'content_hash', 'released_at'])
    .execute();
  return new Map(
    rows.map((r) => [
      releaseKey(r.workflow_id, r.version),
      { workflowId: r.workflow_id, version: r.version, contentHash: r.content_hash, releasedAt: r.released_at },
    ]),
  );
}

/**
 * Records the versions not recorded yet, in one statement: a version another server recorded
 * meanwhile is left as that server wrote it (the caller reads it back and compares). Returns the
 * versions this call recorded.
 */
export async function recordReleases(
  conn: Conn,
  versions: readonly ReleasedVersion[],
): Promise<{ workflowId: string; version: number }[]> {
  if (versions.length === 0) return [];
  const inserted = await conn
    .insertInto('released_versions')
    .values(
      versions.map((v) => ({
        workflow_id: v.workflowId,
        version: v.version,
        content_hash: v.contentHash,
        released_at: v.releasedAt,
      })),
    )
    .onConflict((oc) => oc.columns(['workflow_id', 'version']).doNothing())
    .returning(['workflow_id', 'version'])
    .execute();
  return inserted.map((r) => ({ workflowId: r.workflow_id, version: r.version }));
}

export { releaseKey };
