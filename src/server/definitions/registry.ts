import type { ReloadDefinitionsResponse } from '../../contract/index.js';
import { nowIso, type Database } from '../platform/db/index.js';
import { DefinitionError, loadDefinitions, versionHash, type DefinitionSet } from './definitions.js';
import { listReleased, recordReleases, releaseKey, type ReleasedVersion } from './repository.js';

/** How many users have each workflow version installed (asked of the installs module). */
export type InstalledVersionCounts = () => Promise<{ workflowId: string; version: number; users: number }[]>;

/**
 * Holds the loaded definitions and enforces that released versions are immutable: the first
 * load of a workflow version records its fingerprint, and a later load that changes it, or drops
 * a version someone has installed, is refused. A failed reload leaves the current set in place.
 */
export class DefinitionRegistry {
  /** When each version of the current set was first released (as recorded, by whichever server did it). */
  private releases = new Map<string, string>();

  private constructor(
    private readonly database: Database,
    readonly dir: string,
    private readonly installedVersions: InstalledVersionCounts,
    private set: DefinitionSet,
  ) {}

  /**
   * Loads `dir` and releases its new versions; throws a DefinitionError when it is not acceptable.
   * `installedVersions` is the installs module's count (it owns `user_workflows`; app.ts passes it).
   */
  static async open(
    database: Database,
    dir: string,
    installedVersions: InstalledVersionCounts,
  ): Promise<DefinitionRegistry> {
    const registry = new DefinitionRegistry(database, dir, installedVersions, loadDefinitions(dir));
    await registry.release(registry.set);
    return registry;
  }

  get current(): DefinitionSet {
    return this.set;
  }

  /** Re-reads the directory; throws a DefinitionError (and keeps the old set) when it is not acceptable. */
  async reload(): Promise<ReloadDefinitionsResponse> {
    const next = loadDefinitions(this.dir);
    const newlyReleased = await this.release(next);
    this.set = next;
    return {
      integrations: next.integrations.length,
      workflows: next.workflowCount,
      versions: next.integrations.reduce((n, i) => n + i.workflows.reduce((m, w) => m + w.versions.length, 0), 0),
      newlyReleased,
    };
  }

  /** When a version of the current definitions was first released, or null when it is not one of them. */
  releasedAt(workflowId: string, version: number): string | null {
    return this.releases.get(releaseKey(workflowId, version)) ?? null;
  }

  /**
   * Records the set's new versions and refuses a set that changes a released version or drops an
   * installed one. The checks come before any write, and the recording is one INSERT … ON CONFLICT
   * DO NOTHING read back: two servers releasing the same version together both accept it (one row,
   * the first one's time), while a different content for it is refused whoever recorded first.
   */
  private async release(set: DefinitionSet): Promise<{ workflowId: string; version: number }[]> {
    const recorded = await listReleased(this.database);
    const now = nowIso();
    const versions: ReleasedVersion[] = [];
    const missing: ReleasedVersion[] = [];
    for (const integration of set.integrations) {
      for (const workflow of integration.workflows) {
        for (const version of workflow.versions) {
          const release = {
            workflowId: workflow.workflowId,
            version: version.version,
            contentHash: versionHash(version),
            releasedAt: now,
          };
          versions.push(release);
          const previous = recorded.get(releaseKey(release.workflowId, release.version));
          if (!previous) missing.push(release);
          else refuseChange(release, previous);
        }
      }
    }
    for (const row of await this.installedVersions()) {
      const workflow = set.workflow(row.workflowId)?.workflow;
      if (!workflow?.versions.some((v) => v.version === row.version)) {
        throw new DefinitionError(
          `workflow ${row.workflowId} version ${row.version} is installed by ${row.users} user(s) and cannot be removed`,
        );
      }
    }
    const inserted = new Set(
      (await recordReleases(this.database, missing)).map((r) => releaseKey(r.workflowId, r.version)),
    );
    const newlyReleased = missing
      .filter((r) => inserted.has(releaseKey(r.workflowId, r.version)))
      .map(({ workflowId, version }) => ({ workflowId, version }));
    if (newlyReleased.length < missing.length) {
      // Another server recorded some of them meanwhile: they are released only if the content is the same.
      const nowRecorded = await listReleased(this.database);
      for (const release of missing) {
        const stored = nowRecorded.get(releaseKey(release.workflowId, release.version));
        if (stored) {
          refuseChange(release, stored);
          recorded.set(releaseKey(release.workflowId, release.version), stored);
        }
      }
    }
    const releases = new Map<string, string>();
    for (const release of versions) {
      const key = releaseKey(release.workflowId, release.version);
      releases.set(key, recorded.get(key)?.releasedAt ?? release.releasedAt);
    }
    this.releases = releases;
    return newlyReleased;
  }
}

function refuseChange(release: ReleasedVersion, previous: ReleasedVersion): void {
  if (previous.contentHash !== release.contentHash) {
    throw new DefinitionError(
      `workflow ${release.workflowId} version ${release.version} was released on ${previous.releasedAt} and cannot change; release the change as a new version`,
    );
  }
}
