import * as z from 'zod/mini';
import { SuccessResponse, Timestamp, UserRef } from './common.js';
import { ObjectId } from './ids.js';
import { ConfigFieldOption, ConfigFieldType, ConfigValue, FieldRules } from './integrations.js';

/** One field a user fills in to connect an app (the docs' credential "properties"). */
export const CredentialProperty = z.object({
  name: z.string(),
  displayName: z.string(),
  description: z.optional(z.string()),
  /** `secret` values are write-only: stored encrypted and never returned. */
  type: z.enum(['text', 'secret']),
  required: z.boolean(),
  rules: z.optional(FieldRules),
});
export type CredentialProperty = z.infer<typeof CredentialProperty>;

export const CredentialMetadata = z.object({
  /** The connector's name as the API uses it (camelCase), e.g. `demoStore`. */
  connector: z.string(),
  displayName: z.string(),
  icon: z.string(),
  isOauth: z.boolean(),
  properties: z.array(CredentialProperty),
  /**
   * Present when the app can also be connected with OAuth 2 (authorization code + PKCE):
   * `properties` are asked before the redirect (e.g. the shop subdomain), `scopes` are requested.
   */
  oauth: z.optional(
    z.object({
      properties: z.array(CredentialProperty),
      scopes: z.array(z.string()),
    }),
  ),
});
export type CredentialMetadata = z.infer<typeof CredentialMetadata>;

export const CredentialMetadataListResponse = z.object({ data: z.array(CredentialMetadata) });
export const CredentialNameParams = z.strictObject({
  credentialName: /* @__PURE__ */ z.string().check(z.minLength(1), z.maxLength(100)),
});
export const CredentialMetadataResponse = z.object({ data: CredentialMetadata });

/** A stored credential's metadata; its secret data never leaves the server. */
export const Credential = z.object({
  credentialId: z.string(),
  /** The connector, e.g. `demoStore`. */
  type: z.string(),
  /** A readable label, e.g. `Demo Store acme-shop`. */
  name: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Credential = z.infer<typeof Credential>;
export const CredentialListResponse = z.object({ data: z.array(Credential) });
export type CredentialListResponse = z.infer<typeof CredentialListResponse>;

export const UserCredentialParams = z.strictObject({ userId: UserRef, credentialId: ObjectId });
export const DeleteCredentialResponse = SuccessResponse;

export const CreateCredentialRequest = z.strictObject({
  userId: UserRef,
  credential: z.strictObject({
    /** The connector, e.g. `demoStore`. */
    type: /* @__PURE__ */ z.string().check(z.minLength(1), z.maxLength(100)),
    /** The connector's properties (see `GET /metadata/credentials/:name`). */
    data: z.record(
      /* @__PURE__ */ z.string().check(z.maxLength(100)),
      /* @__PURE__ */ z.string().check(z.maxLength(10_000)),
    ),
  }),
});
export type CreateCredentialRequest = z.infer<typeof CreateCredentialRequest>;
export const CreateCredentialResponse = z.object({
  success: z.literal(true),
  credentialId: z.string(),
});

/** `userId` and `app`, plus the connector's pre-OAuth properties (e.g. `shopSubdomain`). */
export const OAuthUrlQuery = z.catchall(
  z.strictObject({ userId: UserRef, app: /* @__PURE__ */ z.string().check(z.minLength(1), z.maxLength(100)) }),
  /* @__PURE__ */ z.string().check(z.maxLength(500)),
);
export const OAuthUrlResponse = z.object({ oauthUrl: z.string() });

/** The legacy OAuth redirect (`GET /users/:userId/credentials/:credentialName`, alloy-node and alloy-python). */
export const LegacyCredentialParams = z.strictObject({
  userId: UserRef,
  credentialName: /* @__PURE__ */ z.string().check(z.minLength(1), z.maxLength(100)),
});
/** Any of the connector's pre-OAuth properties, and `integrationId`, as the legacy clients send them. */
export const LegacyOAuthRedirectQuery = z.record(z.string(), /* @__PURE__ */ z.string().check(z.maxLength(500)));
export const LegacyOAuthRedirectResponse = z.object({ data: z.object({ redirectUrl: z.string() }) });

/** The app catalogue (`GET /apps`): every connector and what it can do. */
export const AppInfo = z.object({
  name: z.string(),
  displayName: z.string(),
  icon: z.string(),
  isOauth: z.boolean(),
  events: z.array(z.object({ name: z.string(), description: z.string() })),
  actions: z.array(z.object({ name: z.string(), description: z.string() })),
});
export const AppListResponse = z.object({ data: z.array(AppInfo) });

export const StartInstallationRequest = z.strictObject({
  userId: UserRef,
  integrationId: ObjectId,
  /** Needed only when the user has more than one credential for an app the integration uses. */
  credentialIds: z.optional(/* @__PURE__ */ z.array(ObjectId).check(z.maxLength(20))),
  /** A subset of the integration's workflows; all of them when absent. */
  workflowIds: z.optional(/* @__PURE__ */ z.array(ObjectId).check(z.minLength(1))),
});
export type StartInstallationRequest = z.infer<typeof StartInstallationRequest>;

export const HeadlessField = z.object({
  name: z.string(),
  displayName: z.string(),
  type: ConfigFieldType,
  required: z.boolean(),
  help: z.optional(z.string()),
  placeholder: z.optional(z.string()),
  options: z.optional(z.array(ConfigFieldOption)),
  defaultValue: z.optional(z.unknown()),
  rules: z.optional(FieldRules),
});

export const StartInstallationResponse = z.object({
  installationId: z.string(),
  /** The fields to fill, grouped by workflow and block; empty when nothing needs input. */
  data: z.array(
    z.object({ workflowId: z.string(), app: z.string(), blockId: z.string(), fields: z.array(HeadlessField) }),
  ),
  /** Connector → the credentialId the installation will use. */
  credentialIds: z.record(z.string(), z.string()),
  /** Complete the installation before this time. */
  expiresAt: Timestamp,
});
export type StartInstallationResponse = z.infer<typeof StartInstallationResponse>;

export const CompleteInstallationRequest = z.strictObject({
  installationId: ObjectId,
  data: /* @__PURE__ */ z
    .array(
      z.strictObject({
        workflowId: ObjectId,
        blockId: /* @__PURE__ */ z.string().check(z.minLength(1)),
        fields: z.array(z.strictObject({ name: /* @__PURE__ */ z.string().check(z.minLength(1)), value: ConfigValue })),
      }),
    )
    .check(z.maxLength(200)),
});
export type CompleteInstallationRequest = z.infer<typeof CompleteInstallationRequest>;

export const CompleteInstallationResponse = z.object({
  success: z.literal(true),
  installationId: z.string(),
  integrationId: z.string(),
  workflowIds: z.array(z.string()),
  credentialIds: z.record(z.string(), z.string()),
});
export type CompleteInstallationResponse = z.infer<typeof CompleteInstallationResponse>;
