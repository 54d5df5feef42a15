import * as z from 'zod/mini';

// `/* @__PURE__ */` on schemas built with `.check(...)`: zod's factories are marked side-effect
// free, but a method call is not, so without it every server-only schema would stay in the
// browser bundles that import this contract.

/** `{ success: true }`, the documented answer of several deletes and writes. */
export const SuccessResponse = z.object({ success: z.literal(true) });
export type SuccessResponse = z.infer<typeof SuccessResponse>;

/** `{ message }`, the documented answer of the run and compliance endpoints. */
export const MessageResponse = z.object({ message: z.string() });
export type MessageResponse = z.infer<typeof MessageResponse>;

/** An ISO 8601 timestamp in UTC, as the API writes every date. */
export const Timestamp = /* @__PURE__ */ z.string().check(z.describe('ISO 8601 date-time in UTC'));

/** A `userId` in a path or query: the user's id or, as the docs allow, their username. */
export const UserRef = /* @__PURE__ */ z
  .string()
  .check(z.minLength(1, 'userId is required'), z.maxLength(320), z.describe('The userId or the username'));

export const Pagination = z.object({
  currentPage: z.number(),
  pageSize: z.number(),
  totalItems: z.number(),
  totalPages: z.number(),
});
export type Pagination = z.infer<typeof Pagination>;

/** A positive page number in a query string (`?page=2`). */
export const PageQuery = /* @__PURE__ */ z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1_000_000));

/** The query of a route that takes no query parameters: any is an unknown field. */
export const NoQuery = z.strictObject({});

/** A bodyless POST/PUT may send nothing or `{}`; anything else is an unknown field. */
export const EmptyBody = z.optional(z.strictObject({}));
