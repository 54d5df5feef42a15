import type { Db } from './db.js';
import type { ServerSecrets } from './secrets.js';
import type { IntegrationService } from './services/integrations.js';
import type { UserService } from './services/users.js';

/** The long-lived parts every route needs, built once by `createServer`. */
export interface AppContext {
  db: Db;
  secrets: ServerSecrets;
  users: UserService;
  integrations: IntegrationService;
  publicUrl: string;
}
