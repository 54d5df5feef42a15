import * as z from 'zod/mini';

/** Ids are 24 lowercase hex characters, like the real API's ObjectIds, so existing ISV code keeps working. */
export const OBJECT_ID_PATTERN = /^[0-9a-f]{24}$/;
export const ObjectId = z.string().check(z.regex(OBJECT_ID_PATTERN, 'must be a 24-character hex id'));
