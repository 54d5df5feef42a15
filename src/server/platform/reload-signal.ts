import type { EmbeddedServer } from '../app.js';
import { DefinitionError } from '../definitions/index.js';

/**
 * `kill -HUP <pid>` re-reads the integration definitions, like POST /admin/definitions/reload.
 * A refused reload is reported and the running definitions stay; the process never exits over it.
 */
export function reloadDefinitionsOnSighup(
  server: EmbeddedServer,
  log: (line: string) => void = console.log,
): () => void {
  const onSignal = async () => {
    try {
      const result = await server.ctx.definitions.reload();
      const released = result.newlyReleased.map((r) => `${r.workflowId} v${r.version}`).join(', ') || 'none';
      log(
        `Definitions reloaded: ${result.integrations} integrations, ${result.workflows} workflows; newly released: ${released}`,
      );
    } catch (error) {
      const reason = error instanceof DefinitionError ? error.message : String(error);
      log(`Definitions NOT reloaded (the previous ones stay active): ${reason}`);
    }
  };
  const listener = () => void onSignal();
  process.on('SIGHUP', listener);
  return () => process.off('SIGHUP', listener);
}
