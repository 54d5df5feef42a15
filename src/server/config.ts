import path from 'node:path';
import * as z from 'zod/mini';

export const DEFAULT_PORT = 4000;

const Env = z.object({
  PORT: z.optional(z.string().check(z.regex(/^\d{1,5}$/, 'PORT must be a number'))),
  HOST: z.optional(z.string()),
  ALLOY_DATA_DIR: z.optional(z.string().check(z.minLength(1))),
  ALLOY_API_KEY: z.optional(z.string().check(z.minLength(16, 'ALLOY_API_KEY must be at least 16 characters'))),
  ALLOY_PUBLIC_URL: z.optional(z.string()),
});

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Pins the development API key; otherwise one is generated and persisted. */
  pinnedDevApiKey: string | undefined;
  /** Base URL printed and used in generated links; defaults to http://localhost:PORT. */
  publicUrl: string | undefined;
  /** Directory holding the built browser bundles (dist/cdn). */
  cdnDir: string;
  /** Log requests (off in tests). */
  logger: boolean;
}

export function configFromEnv(env: NodeJS.ProcessEnv, root: string): ServerConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => i.message).join('; ');
    throw new Error(`Invalid environment: ${message}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT === undefined ? DEFAULT_PORT : Number(e.PORT),
    host: e.HOST ?? '127.0.0.1',
    dataDir: path.resolve(root, e.ALLOY_DATA_DIR ?? '.data'),
    pinnedDevApiKey: e.ALLOY_API_KEY,
    publicUrl: e.ALLOY_PUBLIC_URL,
    cdnDir: path.resolve(root, 'dist/cdn'),
    logger: true,
  };
}
