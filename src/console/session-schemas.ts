/**
 * The console's own answers (session and API keys), parsed at the boundary like every ISV answer:
 * a body that does not match is a `ConsoleApiError` with code `invalid_response`, never a guess.
 */
import * as z from 'zod/mini';

export const ConsoleEnvironmentSchema = z.enum(['development', 'production']);

export const SignedInSession = z.object({
  state: z.literal('signed-in'),
  username: z.string(),
  csrfToken: z.string().check(z.minLength(1)),
  expiresAt: z.string(),
});
export type SignedInSession = z.infer<typeof SignedInSession>;

export const ConsoleSession = z.discriminatedUnion('state', [
  z.object({ state: z.literal('setup-required') }),
  z.object({ state: z.literal('signed-out') }),
  SignedInSession,
]);
export type ConsoleSession = z.infer<typeof ConsoleSession>;

export const ConsoleKey = z.object({
  env: ConsoleEnvironmentSchema,
  active: z.boolean(),
  hint: z.optional(z.string()),
  createdAt: z.optional(z.string()),
});
export type ConsoleKey = z.infer<typeof ConsoleKey>;

export const ConsoleKeyList = z.object({ keys: z.array(ConsoleKey) });
export type ConsoleKeyList = z.infer<typeof ConsoleKeyList>;

export const CreatedConsoleKey = z.object({
  env: ConsoleEnvironmentSchema,
  apiKey: z.string().check(z.minLength(1)),
  hint: z.string(),
  createdAt: z.string(),
});
export type CreatedConsoleKey = z.infer<typeof CreatedConsoleKey>;
