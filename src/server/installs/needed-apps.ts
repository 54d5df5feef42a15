import { latestVersion, versionConnectors, type WorkflowDefinition } from '../definitions/index.js';

/**
 * The apps (connector ids) the latest versions of these workflows need a connection to, sorted and
 * without repeats: what an install of them asks the user to connect. The one place this is
 * computed (integration summaries, installs, headless start, the widget's apps and credential
 * checks).
 */
export function appsNeeded(workflows: readonly WorkflowDefinition[]): string[] {
  return [...new Set(workflows.flatMap((wf) => versionConnectors(latestVersion(wf))))].sort();
}
