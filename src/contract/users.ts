import * as z from 'zod/mini';
import { ObjectId } from './ids.js';
import { MessageResponse, SuccessResponse, UserRef } from './common.js';

export const Username = /* @__PURE__ */ z
  .string()
  .check(z.trim(), z.minLength(1, 'username is required'), z.maxLength(320));
export const FullName = /* @__PURE__ */ z.string().check(z.trim(), z.maxLength(200));

export const CreateUserRequest = z.strictObject({
  username: Username,
  fullName: z.optional(FullName),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const CreateUserResponse = z.object({ userId: z.string() });
export type CreateUserResponse = z.infer<typeof CreateUserResponse>;

export const UserTokenResponse = z.object({ token: z.string() });
export type UserTokenResponse = z.infer<typeof UserTokenResponse>;

export const UserParams = z.strictObject({ userId: UserRef });

/** alloy-python appends a stray `?userId` to the token path, and one docs version shows it: tolerated. */
export const UserTokenQuery = z.strictObject({ userId: z.optional(z.string()) });

export const User = z.object({
  userId: z.string(),
  username: z.string(),
  fullName: z.nullable(z.string()),
});
export type User = z.infer<typeof User>;

/**
 * `GET /users` pages by keyset (creation order). The default page is large on purpose: a client
 * that never pages (alloy-node's `getUsers`, which reads `{data}`) still gets every user of an
 * environment of up to this many users, and the same answer as before paging existed.
 */
export const DEFAULT_USERS_PAGE_SIZE = 1000;
export const MAX_USERS_PAGE_SIZE = 1000;

export const ListUsersQuery = z.strictObject({
  /** Only users who installed this (parent) workflow. */
  parentWorkflowId: z.optional(ObjectId),
  /** Users per page, 1-1000; 1000 when absent. */
  limit: z.optional(/* @__PURE__ */ z.coerce.number().check(z.int(), z.minimum(1), z.maximum(MAX_USERS_PAGE_SIZE))),
  /** The `nextCursor` of the previous page. */
  cursor: z.optional(
    /* @__PURE__ */ z.string().check(z.regex(/^[\w-]{1,200}$/, 'cursor must be a nextCursor this API returned')),
  ),
});
export const UserListResponse = z.object({
  data: z.array(User),
  /** Present when more users follow: pass it as `cursor` for the next page. */
  nextCursor: z.optional(z.string()),
});
export type UserListResponse = z.infer<typeof UserListResponse>;

export const UpdateUserRequest = /* @__PURE__ */ z
  .strictObject({
    username: z.optional(Username),
    fullName: z.optional(z.nullable(FullName)),
  })
  .check(
    z.refine((body) => body.username !== undefined || body.fullName !== undefined, {
      message: 'send username, fullName or both',
    }),
  );
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const MAX_BATCH_USERS = 1000;

/** Each entry is checked on its own (like `CreateUserRequest`); bad ones come back in `invalidUsers`. */
export const BatchCreateUsersRequest = z.strictObject({
  users: /* @__PURE__ */ z
    .array(/* @__PURE__ */ z.unknown().check(z.describe('{ username, fullName? } as in POST /users')))
    .check(z.minLength(1, 'send at least one user'), z.maxLength(MAX_BATCH_USERS, 'send at most 1000 users per call')),
});

export const InvalidUser = z.looseObject({
  /** Position in the request's `users` array. */
  index: z.number(),
  /** Why the entry was not created. */
  reason: z.string(),
});
export type InvalidUser = z.infer<typeof InvalidUser>;

export const BatchCreateUsersResponse = z.object({
  message: z.literal('success'),
  /** The offending entries as sent, each with its `index` and a `reason`. */
  invalidUsers: z.array(InvalidUser),
  /** The users created, in request order. */
  users: z.array(z.object({ userId: z.string(), username: z.string() })),
});
export type BatchCreateUsersResponse = z.infer<typeof BatchCreateUsersResponse>;

export const DeleteUserResponse = SuccessResponse;
export const DeactivateUserWorkflowsResponse = MessageResponse;
