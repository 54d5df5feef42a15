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
});
export type ConsoleIntegration = z.infer<typeof ConsoleIntegration>;

/** `GET /console/api/integrations` (environment from `x-alloy-env`). */
export const ConsoleIntegrationListResponse = z.object({ data: z.array(ConsoleIntegration) });
export type ConsoleIntegrationListResponse = z.infer<typeof ConsoleIntegrationListResponse>;
