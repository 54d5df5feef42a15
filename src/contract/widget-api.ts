import type {
  CreateInstallationRequest,
  InstallationResponse,
  UninstallResponse,
  WidgetIntegration,
} from './integrations.js';
import type { FieldOptionsParams, FieldOptionsResponse } from './runtime.js';
import type {
  CreateWidgetCredentialRequest,
  OAuthSession,
  OAuthSessionView,
  StartOAuthRequest,
  WidgetAppsResponse,
  WidgetCredentialResponse,
} from './widget-auth.js';

/**
 * What the install modal needs from the network. The SDK implements it (token, retries,
 * response validation); the modal only sees this interface, so it never imports the SDK.
 */
export interface WidgetApi {
  getIntegration(integrationId: string, signal?: AbortSignal): Promise<WidgetIntegration>;
  createInstallation(request: CreateInstallationRequest, idempotencyKey: string): Promise<InstallationResponse>;
  // The auth step's calls. Optional so a WidgetApi without them (an older SDK, a test double)
  // still drives the config step; the modal skips what the API cannot do.
  /** The apps the integration needs a connection to, with the user's existing connections. */
  getApps?(integrationId: string, signal?: AbortSignal): Promise<WidgetAppsResponse>;
  /** Tests and stores a connection made with typed fields. */
  createCredential?(request: CreateWidgetCredentialRequest): Promise<WidgetCredentialResponse>;
  startOAuth?(request: StartOAuthRequest): Promise<OAuthSession>;
  getOAuthSession?(sessionId: string, signal?: AbortSignal): Promise<OAuthSessionView>;
  /** Removes the user's installation of the integration (Uninstall in an edit); absent, the modal offers none. */
  deleteInstallation?(integrationId: string): Promise<UninstallResponse>;
  /** The choices of a dynamicSelect field, loaded with the user's connection. */
  getFieldOptions?(
    field: FieldOptionsParams,
    credentialId: string | undefined,
    signal?: AbortSignal,
  ): Promise<FieldOptionsResponse>;
}
