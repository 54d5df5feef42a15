import * as z from 'zod/mini';
import type { IntegrationListResponse } from '../contract/index.js';
import type * as ModalModule from '../modal/index.js';
import type { AlloyInstallModal, InstallOutcome } from '../modal/index.js';
import { ApiClient } from './api-client.js';
import { AlloyError } from './errors.js';

export const SDK_VERSION = '0.1.0';

export const REGION_BASE_URLS = {
  us: 'https://embedded.runalloy.com',
  eu: 'https://eu-embedded.runalloy.com',
} as const;

export type InstallResult = InstallOutcome;

/** zod/mini ships no messages (that keeps it small), so each option says its own. */
const requiredString = (name: string, hint: string) =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? `${name} is required: ${hint}` : `${name} must be a string`),
    })
    .check(z.minLength(1, `${name} must not be empty`));

const InstallOptionsSchema = z.object({
  integrationId: requiredString('integrationId', 'pass the integrationId from GET /integrations'),
  callback: z.optional(
    z.custom<(result: InstallResult) => void>((v) => typeof v === 'function', { error: 'callback must be a function' }),
  ),
  title: z.optional(z.string({ error: 'title must be a string' })),
});

export type InstallOptions = z.infer<typeof InstallOptionsSchema>;

export interface AlloyInstance {
  readonly version: string;
  /** Sets the short-lived user token your backend got from `GET /users/:userId/token`. */
  setToken(token: string): void;
  /** Points the SDK at a region of the hosted service. */
  setRegion(region: string): void;
  /** Points the SDK at a self-hosted Embedded API. */
  configure(options: { baseUrl?: string }): void;
  /** Opens the install modal; resolves when it closes. */
  install(options: InstallOptions): Promise<InstallResult>;
  /** Lists integrations with the token user's install state. */
  getIntegrations(): Promise<IntegrationListResponse>;
}

export interface CreateAlloyOptions {
  baseUrl?: string;
}

/** Creates an independent SDK instance. The CDN global and the default export are instances too. */
export function createAlloy(options: CreateAlloyOptions = {}): AlloyInstance {
  let token: string | undefined;
  let baseUrl = options.baseUrl ?? REGION_BASE_URLS.us;
  let openModal: AlloyInstallModal | undefined;

  const client = new ApiClient({ baseUrl: () => baseUrl, token: () => token });

  async function openInstallModal(opts: InstallOptions): Promise<InstallResult> {
    if (!token) {
      throw new AlloyError('TOKEN_MISSING', 'No user token is set. Call Alloy.setToken(token) before Alloy.install().');
    }
    if (openModal) throw new AlloyError('ALREADY_OPEN', 'The install modal is already open.');
    let modalModule: typeof ModalModule;
    try {
      modalModule = await import('../modal/index.js');
    } catch (error) {
      throw new AlloyError('LOAD_FAILED', 'The install modal could not be loaded.', { cause: error });
    }
    modalModule.defineInstallModal();
    const modal = document.createElement(modalModule.INSTALL_MODAL_TAG);
    modal.integrationId = opts.integrationId;
    modal.api = client;
    if (opts.title !== undefined) modal.heading = opts.title;
    openModal = modal;
    document.body.append(modal);
    try {
      return await modal.show();
    } finally {
      modal.remove();
      openModal = undefined;
    }
  }

  return {
    version: SDK_VERSION,
    setToken(value) {
      if (typeof value !== 'string' || value.trim() === '') {
        throw new AlloyError('TOKEN_INVALID', 'setToken expects the JWT string your backend received from the API.');
      }
      token = value.trim();
    },
    setRegion(region) {
      baseUrl = String(region).toLowerCase() === 'eu' ? REGION_BASE_URLS.eu : REGION_BASE_URLS.us;
    },
    configure(config) {
      if (config.baseUrl !== undefined) baseUrl = config.baseUrl.replace(/\/+$/, '');
    },
    install(raw) {
      const parsed = InstallOptionsSchema.safeParse(raw ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const error = new AlloyError('VALIDATION_FAILED', `Alloy.install: ${issue?.message ?? 'invalid options'}`, {
          issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        });
        return Promise.reject(error);
      }
      const opts = parsed.data;
      const result = openInstallModal(opts).then(
        (outcome) => {
          opts.callback?.(outcome);
          return outcome;
        },
        (error: unknown) => {
          // Callback-style callers get the failure there; the Promise still rejects for awaiters.
          opts.callback?.({ success: false, reason: 'error' } as InstallResult);
          throw error;
        },
      );
      // A caller who passed a callback may never look at the Promise: do not report it as unhandled.
      if (opts.callback) result.catch(() => undefined);
      return result;
    },
    getIntegrations() {
      return client.getIntegrations();
    },
  };
}
