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
  description: z.string(),
  icon: z.string(),
  workflows: z.array(z.object({ workflowId: z.string(), name: z.string(), version: z.number() })),
  /** Users of the environment with an installation of it. */
  installs: z.number(),
  /** Where it is defined: `code` (a `*.integration.json` file; read-only in the console). */
  source: z.enum(['code']),
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
