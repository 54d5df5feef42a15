import type { WidgetApp, WidgetIntegration } from '../contract/index.js';
import { AuthStep, authStepStyles, type AuthHost } from './auth-step/auth-step.js';
import { DynamicSelects } from './dynamic-select/dynamic-select.js';
import { UninstallConfirm, uninstallStyles, type UninstallHost } from './install-modal/uninstall-confirm.js';

export { AuthStep, DynamicSelects };

/**
 * The auth step and dynamic selects, in one module the modal loads with `import()` only when
 * `getApps` names an app or a `dynamicSelect` field can load its options; the CDN build makes it its
 * own chunk (preloaded with its SRI hash), so the base modal chunk stays within its budget.
 */
export function createLazySteps(
  host: AuthHost,
  root: ShadowRoot,
  apps: WidgetApp[],
  integration: WidgetIntegration,
): { auth: AuthStep | undefined; dynamic: DynamicSelects | undefined } {
  const sheet = authStepStyles.styleSheet;
  if (sheet && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  const auth = apps.length > 0 ? new AuthStep(host, apps) : undefined;
  const dynamic = host.api.getFieldOptions
    ? new DynamicSelects({
        ...host,
        api: host.api,
        requestUpdate: () => host.requestUpdate(),
        announce: (text) => host.announce(text),
        integrationId: integration.integrationId,
        credentialId: () => {
          const chosen = auth?.credentials() ?? {};
          return chosen[integration.app] ?? Object.values(chosen)[0];
        },
      })
    : undefined;
  return { auth, dynamic };
}

/** Uninstall from an edit or update, in this chunk too: a first install never loads it. */
export function createUninstall(host: UninstallHost, root: ShadowRoot): UninstallConfirm {
  const sheet = uninstallStyles.styleSheet;
  if (sheet && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  return new UninstallConfirm(host);
}
