import type { CreateInstallationRequest, InstallationResponse, WidgetIntegration } from './integrations.js';

/**
 * What the install modal needs from the network. The SDK implements it (token, retries,
 * response validation); the modal only sees this interface, so it never imports the SDK.
 */
export interface WidgetApi {
  getIntegration(integrationId: string, signal?: AbortSignal): Promise<WidgetIntegration>;
  createInstallation(request: CreateInstallationRequest, idempotencyKey: string): Promise<InstallationResponse>;
}
