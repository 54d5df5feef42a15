import * as z from 'zod/mini';
import { Timestamp, UserRef } from './common.js';
import { ObjectId } from './ids.js';

export const DEFAULT_LINK_TTL_SECONDS = 7 * 24 * 60 * 60;
export const MAX_LINK_TTL_SECONDS = 30 * 24 * 60 * 60;

export const InstallUrlParams = z.strictObject({ userId: UserRef, integrationId: ObjectId });
export const InstallUrlQuery = z.strictObject({
  /** Seconds until the link expires: 60 to 2592000 (30 days); 7 days when absent. */
  expiresIn: z.optional(
    /* @__PURE__ */ z.coerce.number().check(z.int(), z.minimum(60), z.maximum(MAX_LINK_TTL_SECONDS)),
  ),
});

/** A single-use Embedded Link: it stops working after a successful install or at `expiresAt`. */
export const InstallUrlResponse = z.object({ url: z.string(), expiresAt: Timestamp });
export type InstallUrlResponse = z.infer<typeof InstallUrlResponse>;
