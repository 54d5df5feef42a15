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

/** The fingerprint the nodes should be running, and its generation; undefined before the first start. */
export async function currentGeneration(conn: Conn): Promise<{ fingerprint: string; generation: number } | undefined> {
  return conn
    .selectFrom('definition_generation')
    .select(['fingerprint', 'generation'])
    .where('id', '=', 1)
    .executeTakeFirst();
}

/**
 * Makes `fingerprint` the one to run, in one statement: the first row, or a new generation when
 * it differs from the stored one (the same fingerprint again changes nothing). True when it changed.
 */
export async function publishGeneration(conn: Conn, fingerprint: string, now: string): Promise<boolean> {
  const row = await conn
    .insertInto('definition_generation')
    .values({ id: 1, fingerprint, generation: 1, updated_at: now })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          fingerprint: eb.ref('excluded.fingerprint'),
          generation: eb('definition_generation.generation', '+', 1),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where('definition_generation.fingerprint', '<>', fingerprint),
    )
    .returning('generation')
    .executeTakeFirst();
  return row !== undefined;
}
