import type {
  CompleteInstallationRequest,
  CompleteInstallationResponse,
  ConfigEntry,
  StartInstallationRequest,
  StartInstallationResponse,
} from '../../contract/index.js';
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import {
  blockConnector,
  configurableFields,
  latestVersion,
  versionBlocks,
  versionConnectors,
  type DefinitionSet,
  type WorkflowDefinition,
} from '../definitions/definitions.js';
import { DomainError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Environment } from '../platform/secrets.js';
import type { CredentialService } from '../connections/index.js';
import type { IntegrationService } from './integrations.js';

/** How long a started headless installation waits for `completeInstallation`. */
export const PENDING_INSTALLATION_TTL_MS = 24 * 60 * 60 * 1000;

interface PendingRow {
  id: string;
  user_id: string;
  integration_id: string;
  workflow_ids: string;
  credential_ids: string;
  expires_at: string;
}

/**
 * Headless install, for ISVs that render their own UI: start returns the fields to fill and
 * fixes the credentials; complete checks the answers exactly as the modal's install does.
 */
export class HeadlessInstallService {
  constructor(
    private readonly db: Db,
    private readonly definitions: () => DefinitionSet,
    private readonly integrations: IntegrationService,
    private readonly credentials: CredentialService,
  ) {}

  async start(userId: string, request: StartInstallationRequest): Promise<StartInstallationResponse> {
    const def = this.definitions().integration(request.integrationId);
    if (!def) throw notFound('The integration');
    const workflows = chooseWorkflows(def.workflows, request.workflowIds);
    const needed = [...new Set(workflows.flatMap((wf) => versionConnectors(latestVersion(wf))))].sort();
    const credentials = await this.resolveCredentials(userId, needed, request.credentialIds ?? []);

    const existing = this.db
      .prepare('SELECT id FROM installations WHERE user_id = ? AND integration_id = ?')
      .get(userId, def.integrationId) as { id: string } | undefined;
    const installationId = existing?.id ?? newId();
    const now = Date.now();
    const expiresAt = new Date(now + PENDING_INSTALLATION_TTL_MS).toISOString();
    this.db
      .prepare(
        `INSERT INTO pending_installations (id, user_id, integration_id, workflow_ids, credential_ids, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET workflow_ids = excluded.workflow_ids, credential_ids = excluded.credential_ids,
           created_at = excluded.created_at, expires_at = excluded.expires_at`,
      )
      .run(
        installationId,
        userId,
        def.integrationId,
        JSON.stringify(workflows.map((w) => w.workflowId)),
        JSON.stringify(Object.fromEntries(credentials)),
        new Date(now).toISOString(),
        expiresAt,
      );

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

  /** Installs with the answers; the pending installation is used up in the same transaction. */
  complete(env: Environment, request: CompleteInstallationRequest): CompleteInstallationResponse {
    return this.db.transaction(() => {
      const pending = this.db
        .prepare(
          `SELECT p.id, p.user_id, p.integration_id, p.workflow_ids, p.credential_ids, p.expires_at
           FROM pending_installations p JOIN users u ON u.id = p.user_id WHERE p.id = ? AND u.env = ?`,
        )
        .get(request.installationId, env) as PendingRow | undefined;
      if (!pending || pending.expires_at <= nowIso()) {
        throw new DomainError('not_found',
          'This installation was not started or has expired; call POST /headless/startInstallation again.',
        );
      }
      const workflowIds = JSON.parse(pending.workflow_ids) as string[];
      const credentials = new Map(Object.entries(JSON.parse(pending.credential_ids) as Record<string, string>));
      // TODO(i15): installs module — CredentialService is async now: read it with the transaction's
      // `trx` (`await this.credentials.find(userId, id, trx)`) once this transaction is a Kysely one.
      const owned = this.db.prepare('SELECT 1 FROM credentials WHERE id = ? AND user_id = ?');
      for (const [connector, credentialId] of credentials) {
        if (!owned.get(credentialId, pending.user_id)) {
          throw new DomainError('credential_required',
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
      const result = this.integrations.install(
        pending.user_id,
        { integrationId: pending.integration_id, workflowIds, values },
        { credentials, installationId: pending.id },
      );
      this.db.prepare('DELETE FROM pending_installations WHERE id = ?').run(pending.id);
      return { success: true as const, ...result, credentialIds: Object.fromEntries(credentials) };
    })();
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
