import * as z from 'zod/mini';

/** The region names alloy-frontend's `setRegion` takes. */
export const REGIONS = ['us', 'eu'] as const;
export type Region = (typeof REGIONS)[number];

/**
 * `GET /widget/regions`: the API base URL of each region this deployment's operator declared
 * (`ALLOY_REGION_URLS`). A region that is absent has no server: the SDK stays where it is.
 */
export const RegionsResponse = z.object({
  regions: z.object({ us: z.optional(z.string()), eu: z.optional(z.string()) }),
});
export type RegionsResponse = z.infer<typeof RegionsResponse>;
