/**
 * `npm run rotate-api-key -- <development|production>`: replaces an environment's API key and
 * prints the new one, once. The database keeps only API keys' hashes, so this is how an operator
 * who lost a key gets a working one. Reads ALLOY_DATA_DIR (or ALLOY_DATABASE_URL) like the server; a running server
 * accepts the new key (and refuses the old) from the next request.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFromEnv } from './platform/config.js';
import { openStorage } from './platform/db/index.js';
import { ENVIRONMENTS, rotateApiKey, type Environment, type ServerSecrets } from './users/index.js';

const PINNED_BY: Record<Environment, string> = {
  development: 'ALLOY_API_KEY',
  production: 'ALLOY_PRODUCTION_API_KEY',
};

/** What a start prints about the API keys: a key only when it was just generated (it is never shown again). */
export function apiKeyLines(secrets: ServerSecrets): string[] {
  return ENVIRONMENTS.map((env) => {
    const label = `${env} API key:`.padEnd(21);
    if (secrets.generatedApiKeys.includes(env)) {
      return `${label}${secrets.apiKeys[env]}  (new: store it now, it is kept only as a hash)`;
    }
    return `${label}stored as a hash; lost it? npm run rotate-api-key -- ${env}`;
  });
}

/** Runs the rotation for the command line; resolves to the exit code. */
export async function rotateFromCommandLine(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  root: string,
  out: (line: string) => void,
): Promise<number> {
  const target = ENVIRONMENTS.find((e) => e === args[0]);
  if (!target) {
    out('usage: npm run rotate-api-key -- <development|production>');
    return 2;
  }
  if (env[PINNED_BY[target]] !== undefined) {
    out(
      `${PINNED_BY[target]} pins the ${target} key and would replace a rotated one at the next start: change it there.`,
    );
    return 1;
  }
  const config = configFromEnv(env, root);
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, poolSize: 1 });
  try {
    const key = await rotateApiKey(storage.database, target);
    out(`New ${target} API key (shown once; the old one no longer works): ${key}`);
    return 0;
  } finally {
    await storage.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  process.exitCode = await rotateFromCommandLine(process.argv.slice(2), process.env, root, (line) => console.log(line));
}
