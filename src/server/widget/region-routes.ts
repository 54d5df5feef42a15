import type { RegionsResponse, Region } from '../../contract/index.js';
import * as endpoints from '../../contract/endpoints.js';
import type { ApiRouter } from '../http/router.js';
import type { AppContext } from '../context.js';
import { resolveUser } from '../http/common.js';

/** Where each region's API is, as the operator declared it: the SDK's `setRegion` goes nowhere else. */
export function regionRoutes(api: ApiRouter, ctx: AppContext, regionUrls: Partial<Record<Region, string>>): void {
  const answer: RegionsResponse = { regions: { ...regionUrls } };
  api.add(endpoints.widgetGetRegions, {
    tag: 'Widget',
    summary: 'The API base URL of each region',
    description:
      'Read by the browser SDK’s `setRegion("us" | "eu")`: the base URLs the operator declared in `ALLOY_REGION_URLS`. A region that is absent is not served by this deployment, and the SDK stays on the origin it talks to (it never falls back to a hosted service).',
    handler: async ({ caller }) => {
      // Like every user-token route: a token whose user does not exist (or an empty subject) is refused.
      await resolveUser(ctx, caller, undefined);
      return answer;
    },
  });
}
