import { createHash } from 'node:crypto';
import type { ReloadDefinitionsResponse } from '../../contract/index.js';
import { nowIso, type Database, type Storage } from '../platform/db/index.js';
import {
  combineDefinitions,
  DefinitionError,
  readDefinitionFiles,
  versionHash,
  type DefinitionFile,
  type DefinitionSet,
} from './definitions.js';
import { consoleEntries } from './console-definitions.js';
import { listConsoleRows, type ConsoleRows } from './console-repository.js';
import {
  currentGeneration,
  listReleased,
  publishGeneration,
  recordReleases,
  releaseKey,
  type ReleasedVersion,
} from './repository.js';

/** Told on every node when a reload (on any node) changed the definitions to run. */
const DEFINITIONS_CHANNEL = 'alloy_definitions';
/** Held (on every node) while a reload or a console release changes the set. */
const CHANGE_LOCK = 'definitions-change';

/** How the nodes sharing a database agree: notifications, and a lock for changing the set. */
export type RegistryCoordination = Pick<Storage, 'notify' | 'listen'> & Partial<Pick<Storage, 'withLock'>>;

/** What /health reports: whether this node runs the definitions the last reload made current. */
export interface DefinitionsReadiness {
  ready: boolean;
  fingerprint: string;
  expected: string | undefined;
  generation: number | undefined;
  /** Why this node could not take up the current definitions, when it tried and failed. */
  problem: string | undefined;
}

const fingerprintOf = (set: DefinitionSet): string =>
  createHash('sha256').update(JSON.stringify(set.integrations)).digest('hex').slice(0, 32);

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
  private fingerprint: string;
  private problem: string | undefined;
  /** Reloads, console releases and take-ups swap the set one at a time. */
  private swaps: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly database: Database,
    readonly dir: string,
    private readonly installedVersions: InstalledVersionCounts,
    private set: DefinitionSet,
    /** The files of the current set, as read (a console release combines them with the console's rows). */
    private files: readonly DefinitionFile[],
    private readonly coordination: RegistryCoordination | undefined,
  ) {
    this.fingerprint = fingerprintOf(set);
  }

  /** The files read from `dir` and the console's integrations, checked together as one set. */
  private static async load(
    database: Database,
    files: readonly DefinitionFile[],
  ): Promise<{ files: readonly DefinitionFile[]; set: DefinitionSet }> {
    return { files, set: combineDefinitions(files, consoleEntries(await listConsoleRows(database))) };
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.swaps.then(work, work);
    this.swaps = next.catch(() => undefined);
    return next;
  }

  /**
   * One change of the set at a time on this node and, through the lock every node honours, across
   * nodes: a console release decides on the rows as they are and nobody else's half-made change.
   */
  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const coordination = this.coordination;
    return this.serially(() => (coordination?.withLock ? coordination.withLock(CHANGE_LOCK, work) : work()));
  }

  /**
   * Loads `dir` and releases its new versions; throws a DefinitionError when it is not acceptable.
   * `installedVersions` is the installs module's count (it owns `user_workflows`; app.ts passes it).
   */
  static async open(
    database: Database,
    dir: string,
    installedVersions: InstalledVersionCounts,
    coordination?: RegistryCoordination,
  ): Promise<DefinitionRegistry> {
    const { files, set } = await DefinitionRegistry.load(database, readDefinitionFiles(dir));
    const registry = new DefinitionRegistry(database, dir, installedVersions, set, files, coordination);
    await registry.release(registry.set);
    // A node starting with other files (a deploy) makes them current; the others then re-read theirs.
    await registry.publish();
    await coordination?.listen(DEFINITIONS_CHANNEL, (fingerprint) => {
      if (fingerprint !== registry.fingerprint) void registry.takeUp();
    });
    return registry;
  }

  get current(): DefinitionSet {
    return this.set;
  }

  /** The definition files of the current set (a console draft is checked against them). */
  get currentFiles(): readonly DefinitionFile[] {
    return this.files;
  }

  /** Re-reads the directory; throws a DefinitionError (and keeps the old set) when it is not acceptable. */
  reload(): Promise<ReloadDefinitionsResponse> {
    return this.exclusively(async () => {
      const { files, set: next } = await DefinitionRegistry.load(this.database, readDefinitionFiles(this.dir));
      const newlyReleased = await this.release(next);
      this.swap(next, files);
      await this.publish();
      return this.counts(next, newlyReleased);
    });
  }

  /**
   * A console change, decided alone (on this node and across nodes): `change` reads the console's
   * rows, checks what it will write against `accept` (the current files with those rows as they
   * would be: the set's rules and the released versions' record; a DefinitionError when refused,
   * before anything is written), writes, and then the set is re-read, recorded, swapped in and
   * published. What `change` wrote stays written even if that last step fails (a released version
   * is never taken back: another node may already run it); the next reload or take-up adopts it.
   */
  changeConsole<T>(change: (accept: (rows: ConsoleRows) => Promise<void>) => Promise<T>): Promise<T> {
    return this.exclusively(async () => {
      const result = await change(async (rows) => {
        await this.release(combineDefinitions(this.files, consoleEntries(rows)), { dryRun: true });
      });
      const { files, set: next } = await DefinitionRegistry.load(this.database, this.files);
      await this.release(next);
      this.swap(next, files);
      await this.publish();
      return result;
    });
  }

  private swap(next: DefinitionSet, files: readonly DefinitionFile[]): void {
    this.set = next;
    this.files = files;
    this.fingerprint = fingerprintOf(next);
    this.problem = undefined;
  }

  private counts(
    next: DefinitionSet,
    newlyReleased: { workflowId: string; version: number }[],
  ): ReloadDefinitionsResponse {
    return {
      integrations: next.integrations.length,
      workflows: next.workflowCount,
      versions: next.integrations.reduce((n, i) => n + i.workflows.reduce((m, w) => m + w.versions.length, 0), 0),
      newlyReleased,
    };
  }

  /**
   * Whether this node runs the current definitions. With several nodes, a reload on one reaches
   * the others through a notification (each re-reads its own files); a node whose files differ
   * stays on its set and is not ready until they match.
   */
  async readiness(): Promise<DefinitionsReadiness> {
    const current = await currentGeneration(this.database);
    return {
      ready: current === undefined || current.fingerprint === this.fingerprint,
      fingerprint: this.fingerprint,
      expected: current?.fingerprint,
      generation: current?.generation,
      problem: this.problem,
    };
  }

  /** Records this node's set as the one to run and tells the other nodes (when it changed). */
  private async publish(): Promise<void> {
    const changed = await publishGeneration(this.database, this.fingerprint, nowIso());
    if (changed && this.coordination) {
      await this.coordination.notify(this.database, DEFINITIONS_CHANNEL, this.fingerprint);
    }
  }

  /**
   * Another node made other definitions current (a reload, or a release in the console): re-read
   * our files and the console's rows; adopt them if they are those.
   */
  private takeUp(): Promise<void> {
    return this.serially(async () => {
      try {
        const { files, set: next } = await DefinitionRegistry.load(this.database, readDefinitionFiles(this.dir));
        const fingerprint = fingerprintOf(next);
        const current = await currentGeneration(this.database);
        if (current && current.fingerprint !== fingerprint) {
          this.problem = `this node's definition files (${fingerprint}) differ from the current ones (${current.fingerprint}); deploy the same files and reload`;
          return;
        }
        await this.release(next);
        this.swap(next, files);
      } catch (error) {
        this.problem = error instanceof Error ? error.message : String(error);
      }
    });
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
   * `dryRun`: the checks only (a console change asks before it writes).
   */
  private async release(
    set: DefinitionSet,
    options: { dryRun?: boolean } = {},
  ): Promise<{ workflowId: string; version: number }[]> {
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
    if (options.dryRun) return [];
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
