import type { ReloadDefinitionsResponse } from '../../contract/index.js';
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import { DefinitionError, loadDefinitions, versionHash, type DefinitionSet } from './definitions.js';

/**
 * Holds the loaded definitions and enforces that released versions are immutable: the first
 * load of a workflow version records its fingerprint, and a later load that changes it, or drops
 * a version someone has installed, is refused. A failed reload leaves the current set in place.
 */
export class DefinitionRegistry {
  private set: DefinitionSet;

  constructor(
    private readonly db: Db,
    readonly dir: string,
  ) {
    this.set = loadDefinitions(dir);
    this.release(this.set);
  }

  get current(): DefinitionSet {
    return this.set;
  }

  /** Re-reads the directory; throws a DefinitionError (and keeps the old set) when it is not acceptable. */
  reload(): ReloadDefinitionsResponse {
    const next = loadDefinitions(this.dir);
    const newlyReleased = this.release(next);
    this.set = next;
    return {
      integrations: next.integrations.length,
      workflows: next.workflowCount,
      versions: next.integrations.reduce((n, i) => n + i.workflows.reduce((m, w) => m + w.versions.length, 0), 0),
      newlyReleased,
    };
  }

  /** When this server first loaded a version, or null when it never recorded it. */
  releasedAt(workflowId: string, version: number): string | null {
    const row = this.db
      .prepare('SELECT released_at FROM released_versions WHERE workflow_id = ? AND version = ?')
      .get(workflowId, version) as { released_at: string } | undefined;
    return row?.released_at ?? null;
  }

  private release(set: DefinitionSet): { workflowId: string; version: number }[] {
    return this.db.transaction(() => {
      const recorded = new Map(
        (
          this.db.prepare('SELECT workflow_id, version, content_hash, released_at FROM released_versions').all() as {
            workflow_id: string;
            version: number;
            content_hash: string;
            released_at: string;
          }[]
        ).map((r) => [`${r.workflow_id}@${r.version}`, r]),
      );
      const insert = this.db.prepare(
        'INSERT INTO released_versions (workflow_id, version, content_hash, released_at) VALUES (?, ?, ?, ?)',
      );
      const newlyReleased: { workflowId: string; version: number }[] = [];
      const now = nowIso();
      for (const integration of set.integrations) {
        for (const workflow of integration.workflows) {
          for (const version of workflow.versions) {
            const hash = versionHash(version);
            const previous = recorded.get(`${workflow.workflowId}@${version.version}`);
            if (!previous) {
              insert.run(workflow.workflowId, version.version, hash, now);
              newlyReleased.push({ workflowId: workflow.workflowId, version: version.version });
            } else if (previous.content_hash !== hash) {
              throw new DefinitionError(
                `workflow ${workflow.workflowId} version ${version.version} was released on ${previous.released_at} and cannot change; release the change as a new version`,
              );
            }
          }
        }
      }
      // TODO(i15): user_workflows belongs to installs: WorkflowService.installedVersionCounts(conn) once this is async.
      const installed = this.db
        .prepare('SELECT workflow_id, version, COUNT(*) AS users FROM user_workflows GROUP BY workflow_id, version')
        .all() as { workflow_id: string; version: number; users: number }[];
      for (const row of installed) {
        const workflow = set.workflow(row.workflow_id)?.workflow;
        if (!workflow?.versions.some((v) => v.version === row.version)) {
          throw new DefinitionError(
            `workflow ${row.workflow_id} version ${row.version} is installed by ${row.users} user(s) and cannot be removed`,
          );
        }
      }
      return newlyReleased;
    })();
  }
}
