import type {
  CompleteInstallationRequest,
  CompleteInstallationResponse,
  ConfigEntry,
  StartInstallationRequest,
  StartInstallationResponse,
} from '../../contract/index.js';
import { inTransaction, nowIso, type Conn, type Database } from '../platform/db/index.js';
import {
  blockConnector,
  configurableFields,
  latestVersion,
  versionBlocks,
  type DefinitionSet,
  type WorkflowDefinition,
} from '../definitions/index.js';
import { DomainError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Environment } from '../users/index.js';
import type { CredentialService } from '../connections/index.js';
import type { IntegrationService } from './integrations.js';
import { appsNeeded } from './needed-apps.js';
import * as repo from './repository.js';

/** How long a started headless installation waits for `completeInstallation`. */
export const PENDING_INSTALLATION_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Headless install, for ISVs that render their own UI: start returns the fields to fill and
 * fixes the credentials; complete checks the answers exactly as the modal's install does.
 */
export class HeadlessInstallService {
  constructor(
    private readonly database: Database,
    private readonly definitions: () => DefinitionSet,
    private readonly integrations: IntegrationService,
    private readonly credentials: CredentialService,
  ) {}

  async start(userId: string, request: StartInstallationRequest): Promise<StartInstallationResponse> {
    const def = this.definitions().integration(request.integrationId);
    if (!def) throw notFound('The integration');
    // Switched off in the user's environment: no new installation (an existing one may be redone).
    await this.integrations.requireInstallable(userId, def.integrationId);
    const workflows = chooseWorkflows(def.workflows, request.workflowIds);
    const credentials = await this.resolveCredentials(userId, appsNeeded(workflows), request.credentialIds ?? []);

    // A completion installs under this id when the user has no installation yet; one made in the
    // meantime wins (install's INSERT … ON CONFLICT keeps the existing row).
    const installationId = (await this.integrations.installationOf(userId, def.integrationId)) ?? newId();
    const now = Date.now();
    const expiresAt = new Date(now + PENDING_INSTALLATION_TTL_MS).toISOString();
    await repo.savePendingInstallation(this.database, {
      id: installationId,
      userId,
      integrationId: def.integrationId,
      workflowIds: workflows.map((w) => w.workflowId),
      credentialIds: Object.fromEntries(credentials),
      createdAt: new Date(now).toISOString(),
      expiresAt,
    });

    const data = workflows.flatMap((wf) => {
      const version = latestVersion(wf);
      const fields = configurableFields(wf.workflowId, version);
      return versionBlocks(version).flatMap((block) => {
        const mine = fields.filter((f) => f.blockId === block.id);
        if (mine.length === 0) return [];
        return [
          {
            workflowId: wf.workflowId,
            app: blockConnector(block) ?? block.type,
            blockId: block.id,
            fields: mine.map(({ workflowId: _w, blockId: _b, ...field }) => field),
          },
        ];
      });
    });
    return { installationId, data, credentialIds: Object.fromEntries(credentials), expiresAt };
  }

  /**
   * Installs with the answers. The pending installation is taken first, with one
   * `DELETE … RETURNING` in the install's transaction: of two completions at once exactly one
   * installs, the other finds nothing to complete (and a failed install puts it back).
   */
  async complete(
    env: Environment,
    request: CompleteInstallationRequest,
    conn: Conn = this.database,
  ): Promise<CompleteInstallationResponse> {
    return inTransaction(conn, async (trx) => {
      const pending = await repo.takePendingInstallation(trx, request.installationId, env, nowIso());
      if (!pending) {
        throw new DomainError(
          'not_found',
          'This installation was not started or has expired; call POST /headless/startInstallation again.',
        );
      }
      const credentials = new Map(Object.entries(pending.credentialIds));
      const owned = await this.credentials.list(pending.userId, trx);
      for (const [connector, credentialId] of credentials) {
        if (!owned.some((c) => c.credentialId === credentialId)) {
          throw new DomainError(
            'credential_required',
            `The ${connector} credential chosen at start was deleted; start the installation again.`,
          );
        }
      }
      const values: ConfigEntry[] = request.data.flatMap((entry) =>
        entry.fields.map((f) => ({
          workflowId: entry.workflowId,
          blockId: entry.blockId,
          name: f.name,
          value: f.value,
        })),
      );
      const result = await this.integrations.install(
        pending.userId,
        { integrationId: pending.integrationId, workflowIds: pending.workflowIds, values },
        { credentials, installationId: pending.id },
        trx,
      );
      return { success: true as const, ...result, credentialIds: Object.fromEntries(credentials) };
    });
  }

  /**
   * Picks one credential per connector: the one named in `credentialIds`, else the user's only
   * one. None, or several without a choice, is a `credential_required` 400 saying what to do.
   */
  private async resolveCredentials(
    userId: string,
    needed: string[],
    credentialIds: string[],
  ): Promise<Map<string, string>> {
    const chosen = new Map<string, string>();
    for (const [index, credentialId] of credentialIds.entries()) {
      const credential = await this.credentials.require(userId, credentialId);
      if (!needed.includes(credential.type)) {
        throw new DomainError('validation_failed', `This integration does not use ${credential.type}.`, [
          { path: ['credentialIds', index], message: `a ${credential.type} credential is not used here` },
        ]);
      }
      if (chosen.has(credential.type)) {
        throw new DomainError('validation_failed', `Choose one ${credential.type} credential.`, [
          { path: ['credentialIds', index], message: `a second ${credential.type} credential` },
        ]);
      }
      chosen.set(credential.type, credential.credentialId);
    }
    for (const connector of needed) {
      if (chosen.has(connector)) continue;
      const available = await this.credentials.forConnector(userId, connector);
      if (available.length === 1) {
        chosen.set(connector, available[0]!.credentialId);
        continue;
      }
      const message =
        available.length === 0
          ? `Connect ${connector} first: create a credential with POST /headless/credentials.`
          : `The user has ${available.length} ${connector} credentials; name one in credentialIds.`;
      throw new DomainError('credential_required', message, [{ path: ['credentialIds'], message }]);
    }
    return chosen;
  }

  /** Retention: deletes at most `limit` pending installations expired before `cutoff`; how many. */
  pruneExpired(cutoff: string, limit: number, conn: Conn = this.database): Promise<number> {
    return repo.prunePendingInstallations(conn, cutoff, limit);
  }
}

function chooseWorkflows(workflows: WorkflowDefinition[], workflowIds: string[] | undefined): WorkflowDefinition[] {
  if (!workflowIds) return workflows;
  workflowIds.forEach((id, index) => {
    if (!workflows.some((w) => w.workflowId === id)) {
      throw new DomainError('validation_failed', `Workflow ${id} is not part of this integration.`, [
        { path: ['workflowIds', index], message: 'unknown workflow' },
      ]);
    }
  });
  return workflows.filter((w) => workflowIds.includes(w.workflowId));
}
