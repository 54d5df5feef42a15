import * as z from 'zod/mini';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Where outgoing requests may go: any https URL, or http on this machine (for development). */
export function isAllowedWebhookUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname));
}

export const WebhookUrl = /* @__PURE__ */ z
  .string()
  .check(
    z.maxLength(2048),
    z.refine(isAllowedWebhookUrl, 'must be an https URL (http is allowed for localhost) without credentials'),
  );

/** The environment's settings (development and production each have their own). */
export const Settings = z.object({
  /** The environment these settings and this signing material belong to (the API key's). */
  environment: /* @__PURE__ */ z.enum(['development', 'production']),
  /** POSTed after every successful installation. */
  installationWebhookUrl: z.nullable(z.string()),
  /** Every failed execution is POSTed here. */
  errorStreamUrl: z.nullable(z.string()),
  /**
   * The Standard Webhooks secret (`whsec_...`) that signs every outgoing request
   * (`webhook-signature`); verify with it and deduplicate on `webhook-id`.
   */
  webhookSecret: z.string(),
  /** Where this environment's RSA public key for `X-Alloy-Signature` is served (PEM). */
  publicKeyUrl: z.string(),
});
export type Settings = z.infer<typeof Settings>;

/** `null` clears a value set through the API (the environment variable, if any, applies again). */
export const UpdateSettingsRequest = /* @__PURE__ */ z
  .strictObject({
    installationWebhookUrl: z.optional(z.nullable(WebhookUrl)),
    errorStreamUrl: z.optional(z.nullable(WebhookUrl)),
  })
  .check(
    z.refine((body) => body.installationWebhookUrl !== undefined || body.errorStreamUrl !== undefined, {
      message: 'send installationWebhookUrl, errorStreamUrl or both',
    }),
  );
export type UpdateSettingsRequest = z.infer<typeof UpdateSettingsRequest>;
