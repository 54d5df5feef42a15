import * as z from 'zod/mini';

export const Username = z.string().check(z.trim(), z.minLength(1, 'username is required'), z.maxLength(320));
export const FullName = z.string().check(z.trim(), z.maxLength(200));

export const CreateUserRequest = z.strictObject({
  username: Username,
  fullName: z.optional(FullName),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const CreateUserResponse = z.object({ userId: z.string() });
export type CreateUserResponse = z.infer<typeof CreateUserResponse>;

export const UserTokenResponse = z.object({ token: z.string() });
export type UserTokenResponse = z.infer<typeof UserTokenResponse>;
