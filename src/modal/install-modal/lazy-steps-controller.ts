import type { ReactiveControllerHost } from 'lit';
import type { WidgetApp, WidgetIntegration } from '../../contract/index.js';
import type { AuthHost } from '../auth-step/auth-step.js';
import { loadChunk } from '../internal/lazy-chunk.js';
import type { AuthStep, DynamicSelects } from '../lazy-steps.js';

/**
 * The auth step and dynamic selects: loaded with `import()` only when the integration needs them,
 * then held as controllers of the modal (so they are disposed with it) until the next load.
 */
export class LazySteps {
  auth: AuthStep | undefined;
  dynamic: DynamicSelects | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & { readonly renderRoot: HTMLElement | DocumentFragment },
  ) {}

  /** Loads the chunk and creates the steps when `apps` or a dynamic select need them; false when aborted. */
  async load(
    authHost: AuthHost,
    apps: WidgetApp[],
    integration: WidgetIntegration,
    signal: AbortSignal,
  ): Promise<boolean> {
    const dynamic = authHost.api.getFieldOptions && integration.fields.some((field) => field.type === 'dynamicSelect');
    if (apps.length === 0 && !dynamic) return true;
    const lazy = await loadChunk('lazy-steps', () => import('../lazy-steps.js'));
    if (signal.aborted) return false;
    ({ auth: this.auth, dynamic: this.dynamic } = lazy.createLazySteps(
      authHost,
      this.host.renderRoot as ShadowRoot,
      apps,
      integration,
    ));
    if (this.auth) this.host.addController(this.auth);
    if (this.dynamic) this.host.addController(this.dynamic);
    return true;
  }

  /** Whether credentials were typed that no connection has used yet (closing would lose them). */
  get typed(): boolean {
    return Boolean(this.auth?.apps.some((state) => [...state.values.values()].some((value) => value !== '')));
  }

  /** Stops their work (OAuth watches, option loads) and forgets what was typed; they stay on screen. */
  dispose(): void {
    this.auth?.dispose();
    this.dynamic?.dispose();
  }

  /** Disposes them and lets them go (a new load is starting). */
  reset(): void {
    this.dispose();
    if (this.auth) this.host.removeController(this.auth);
    if (this.dynamic) this.host.removeController(this.dynamic);
    this.auth = this.dynamic = undefined;
  }
}
