import { ConnectorError, type Connector, type CredentialData } from './connectors/index.js';
import type { Conn, Database } from '../platform/db/index.js';
import type { CredentialService } from './credentials.js';

export class MissingConnectionError extends Error {}

/** The credential an installation links for a connector (the installs module's WorkflowService). */
export interface InstallationLinks {
  linkedCredential(userId: string, workflowId: string, connector: string, conn?: Conn): Promise<string | undefined>;
}

/** Renews an OAuth credential's access token when it is about to expire (OAuthClientFlow.fresh). */
export type CredentialRefresher = (
  userId: string,
  credentialId: string,
  connector: Connector,
  data: CredentialData,
) => Promise<CredentialData>;

/**
 * Which of a user's credentials a run or an option loader uses for an app: the one the
 * installation recorded (headless installs choose it; widget installs record the newest at
 * install time), else the user's newest credential for that app.
 */
export class Connections {
  constructor(
    private readonly database: Database,
    private readonly credentials: CredentialService,
    private readonly refresher: CredentialRefresher | undefined,
    private readonly installs: InstallationLinks,
  ) {}

  /**
   * `resolve`, with an OAuth access token refreshed first when it expires within a minute. A
   * refresh the provider refuses (revoked, reused) is `credential_invalid`; one it could not
   * answer is `unreachable`, so runs retry it.
   */
  async resolveFresh(
    userId: string,
    connector: Connector,
    choice: { workflowId?: string; credentialId?: string } = {},
  ): Promise<{ credentialId: string; data: CredentialData }> {
    const resolved = await this.resolve(userId, connector, choice);
    if (!this.refresher) return resolved;
    try {
      return {
        credentialId: resolved.credentialId,
        data: await this.refresher(userId, resolved.credentialId, connector, resolved.data),
      };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const message = `the access token could not be refreshed: ${(error as Error).message}`;
      throw new ConnectorError(code === 'unreachable' ? 'unreachable' : 'credential_invalid', message);
    }
  }

  /** The connection to use (see the class); a missing or foreign one is a MissingConnectionError. */
  async resolve(
    userId: string,
    connector: Connector,
    choice: { workflowId?: string; credentialId?: string } = {},
    conn: Conn = this.database,
  ): Promise<{ credentialId: string; data: CredentialData }> {
    let credentialId = choice.credentialId;
    if (credentialId === undefined && choice.workflowId !== undefined) {
      credentialId = await this.installs.linkedCredential(userId, choice.workflowId, connector.id, conn);
    }
    if (credentialId === undefined) {
      credentialId = (await this.credentials.newest(userId, connector.id, conn))?.credentialId;
    }
    if (credentialId === undefined) {
      throw new MissingConnectionError(
        `The user has no ${connector.displayName} connection: connect ${connector.displayName} (create a credential), then install again.`,
      );
    }
    const credential = await this.credentials.require(userId, credentialId, conn);
    if (credential.type !== connector.id) {
      throw new MissingConnectionError(`Credential ${credentialId} is not a ${connector.displayName} connection.`);
    }
    return { credentialId, data: await this.credentials.reveal(userId, credentialId, conn) };
  }
}
