import * as z from 'zod/mini';

export const ReloadDefinitionsResponse = z.object({
  integrations: z.number(),
  workflows: z.number(),
  versions: z.number(),
  /** Versions seen for the first time by this reload; from now on they are immutable. */
  newlyReleased: z.array(z.object({ workflowId: z.string(), version: z.number() })),
});
export type ReloadDefinitionsResponse = z.infer<typeof ReloadDefinitionsResponse>;
