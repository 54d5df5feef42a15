import * as z from 'zod/mini';

/**
 * The console's own endpoints (`/console/api/...`, session cookie; not part of the ISV REST API and
 * not in /openapi.json). The ISV endpoints the console also calls keep their own schemas.
 */

/** One integration as the console lists it: the definition, not one user's view of it. */
export const ConsoleIntegration = z.object({
  integrationId: z.string(),
  name: z.string(),
  app: z.string(),
  /** The app's display name (its connector's), when a connector knows the app. */
  appName: z.optional(z.string()),
  description: z.string(),
  icon: z.string(),
  /** `version`: the newest released one, 0 before a console-made workflow's first release. */
  workflows: z.array(z.object({ workflowId: z.string(), name: z.string(), version: z.number() })),
  /** Users of the environment with an installation of it. */
  installs: z.number(),
  /** Where it is defined: `code` (a `*.integration.json` file; read-only in the console) or `console`. */
  source: z.enum(['code', 'console']),
  /** Whether end users of the environment can see and install it (the integration's Active toggle). */
  active: z.boolean(),
});
export type ConsoleIntegration = z.infer<typeof ConsoleIntegration>;

/** `GET /console/api/integrations` (environment from `x-alloy-env`). */
export const ConsoleIntegrationListResponse = z.object({ data: z.array(ConsoleIntegration) });
export type ConsoleIntegrationListResponse = z.infer<typeof ConsoleIntegrationListResponse>;

/** An Embedded Link's state: not used yet, used by an install, or past its expiry unused. */
export const ConsoleLinkStatus = z.enum(['unused', 'used', 'expired']);
export type ConsoleLinkStatus = z.infer<typeof ConsoleLinkStatus>;

/** One Embedded Link made for a user (never its token). */
export const ConsoleLink = z.object({
  userId: z.string(),
  integrationId: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  status: ConsoleLinkStatus,
  usedAt: z.optional(z.string()),
});
export type ConsoleLink = z.infer<typeof ConsoleLink>;

/** `GET /console/api/links?userId=&integrationId=` (environment from `x-alloy-env`): newest first, at most 50. */
export const ConsoleLinkListResponse = z.object({ data: z.array(ConsoleLink) });
export type ConsoleLinkListResponse = z.infer<typeof ConsoleLinkListResponse>;
/** Users per page of `GET /console/api/users`: 25 when absent, at most 100. */
export const DEFAULT_CONSOLE_USERS_PAGE_SIZE = 25;
export const MAX_CONSOLE_USERS_PAGE_SIZE = 100;

/**
 * `GET /console/api/users?search=&cursor=&limit=` (environment from `x-alloy-env`): the users whose
 * username or full name starts with `search` (case-insensitive, taken literally: `%` and `_` are
 * plain characters), in creation order; without `search`, every user. Keyset-paged by `cursor`.
 */
export const ConsoleUserSearchQuery = z.strictObject({
  search: z.optional(z.string().check(z.maxLength(200))),
  /** Users per page, 1-100; 25 when absent. */
  limit: z.optional(
    /* @__PURE__ */ z.coerce.number().check(z.int(), z.minimum(1), z.maximum(MAX_CONSOLE_USERS_PAGE_SIZE)),
  ),
  /** The `nextCursor` of the previous page (same search). */
  cursor: z.optional(
    /* @__PURE__ */ z.string().check(z.regex(/^[\w-]{1,200}$/, 'cursor must be a nextCursor this API returned')),
  ),
});
export type ConsoleUserSearchQuery = z.infer<typeof ConsoleUserSearchQuery>;

/** A user as `GET /users` shows it, with when it was created. */
export const ConsoleUser = z.object({
  userId: z.string(),
  username: z.string(),
  fullName: z.nullable(z.string()),
  createdAt: z.string(),
});
export type ConsoleUser = z.infer<typeof ConsoleUser>;

export const ConsoleUserListResponse = z.object({
  data: z.array(ConsoleUser),
  /** Present when more users match: pass it as `cursor` for the next page. */
  nextCursor: z.optional(z.string()),
});
export type ConsoleUserListResponse = z.infer<typeof ConsoleUserListResponse>;
