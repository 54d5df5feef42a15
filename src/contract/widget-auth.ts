import * as z from 'zod/mini';
import { ConfigFieldOption, FieldRules } from './integrations.js';

/**
 * The auth step of the install modal: which apps need a connection, the fields to ask, creating a
 * connection with typed fields, and the OAuth popup's session. All called with the user token.
 */

/** One field the user fills in to connect an app (`secret` is masked and never sent back). */
export const AuthField = z.object({
  name: z.string(),
  displayName: z.string(),
  type: z.enum(['text', 'secret', 'select']),
  required: z.boolean(),
  help: z.optional(z.string()),
  placeholder: z.optional(z.string()),
  options: z.optional(z.array(ConfigFieldOption)),
  /** The connector's format rules: the modal checks them before sending, and sets `maxlength`. */
  rules: z.optional(FieldRules),
});
export type AuthField = z.infer<typeof AuthField>;

/**
 * A connection the user already has for an app; the modal offers to reuse it. `inUse`: the user's
 * installation of this integration uses it (an edit starts from it).
 */
export const AppConnection = z.object({
  credentialId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  inUse: z.optional(z.literal(true)),
});
export type AppConnection = z.infer<typeof AppConnection>;

/**
 * An app the integration's workflows need a connection to, with the ways to connect: typed fields
 * (API key and friends) and/or OAuth (with the fields asked before the popup, e.g. a shop subdomain).
 */
export const WidgetApp = z.object({
  app: z.string(),
  name: z.string(),
  icon: z.string(),
  fields: z.optional(z.array(AuthField)),
  oauth: z.optional(z.object({ preOAuthFields: z.array(AuthField) })),
  connections: z.array(AppConnection),
});
export type WidgetApp = z.infer<typeof WidgetApp>;

/** `GET /widget/integrations/:integrationId/apps`. */
export const WidgetAppsResponse = z.object({ data: z.array(WidgetApp) });
export type WidgetAppsResponse = z.infer<typeof WidgetAppsResponse>;

/** `POST /widget/credentials`: the server tests the connection before it stores it (encrypted). */
export const CreateWidgetCredentialRequest = z.strictObject({
  app: z.string().check(z.minLength(1), z.maxLength(100)),
  fields: z.record(z.string(), z.string().check(z.maxLength(10_000))),
});
export type CreateWidgetCredentialRequest = z.infer<typeof CreateWidgetCredentialRequest>;

/** A 400 `credential_invalid` names the field the app refused in `issues[].path` (`['fields', name]`). */
export const WidgetCredentialResponse = z.object({ credentialId: z.string(), name: z.string() });
export type WidgetCredentialResponse = z.infer<typeof WidgetCredentialResponse>;

/**
 * `POST /widget/oauth/sessions`: starts an OAuth connection. The modal opens a blank popup in the
 * click handler first, then navigates it to `authorizeUrl` (our server, which redirects to the
 * provider with PKCE). `origin` is the host page's origin: the callback page posts its result there
 * and nowhere else.
 */
export const StartOAuthRequest = z.strictObject({
  app: z.string().check(z.minLength(1), z.maxLength(100)),
  fields: z.record(z.string(), z.string().check(z.maxLength(1000))),
  origin: z.string().check(z.maxLength(500)),
});
export type StartOAuthRequest = z.infer<typeof StartOAuthRequest>;

/** `:sessionId` of `GET /widget/oauth/sessions/:sessionId`. */
export const OAuthSessionParams = /* @__PURE__ */ z.strictObject({
  sessionId: z.string().check(z.minLength(1), z.maxLength(100)),
});
export type OAuthSessionParams = z.infer<typeof OAuthSessionParams>;

export const OAuthSessionStatus = z.enum(['pending', 'succeeded', 'failed', 'cancelled', 'expired']);
export type OAuthSessionStatus = z.infer<typeof OAuthSessionStatus>;

export const OAuthSession = z.object({
  sessionId: z.string(),
  authorizeUrl: z.string(),
  /** One-time value the callback page echoes in its message; the modal checks it. */
  state: z.string(),
  expiresAt: z.string(),
});
export type OAuthSession = z.infer<typeof OAuthSession>;

/** `GET /widget/oauth/sessions/:sessionId`: polled, so hosts with COOP (no `window.opener`) complete too. */
export const OAuthSessionView = z.object({
  sessionId: z.string(),
  status: OAuthSessionStatus,
  credentialId: z.optional(z.string()),
  name: z.optional(z.string()),
  message: z.optional(z.string()),
});
export type OAuthSessionView = z.infer<typeof OAuthSessionView>;

/** What the OAuth callback page posts to `window.opener` at the session's `origin`. */
export const OAuthCompletionMessage = z.object({
  type: z.literal('alloy:oauth-complete'),
  sessionId: z.string(),
  state: z.string(),
  status: OAuthSessionStatus,
});
export type OAuthCompletionMessage = z.infer<typeof OAuthCompletionMessage>;
