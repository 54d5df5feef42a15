/**
 * The console's pages, from `location.pathname`. Everything lives under `/console`; `/console` and
 * `/console/` mean the default page (integrations). A path the console does not know is
 * `not-found`, never a guess.
 */
export type ConsoleRoute =
  | { name: 'home' }
  | { name: 'integrations' }
  | { name: 'integration'; integrationId: string }
  | { name: 'workflow'; integrationId: string; workflowId: string }
  | { name: 'users'; userId?: string }
  | { name: 'logs'; executionId?: string }
  | { name: 'deliveries' }
  | { name: 'settings' }
  | { name: 'setup' }
  | { name: 'not-found' };

export type NavRoute = 'integrations' | 'users' | 'logs' | 'deliveries' | 'settings';
export const NAV_ROUTES: readonly NavRoute[] = ['integrations', 'users', 'logs', 'deliveries', 'settings'];

export const CONSOLE_BASE = '/console';
export const DEFAULT_PATH = `${CONSOLE_BASE}/integrations`;

function segment(value: string): string | undefined {
  try {
    const decoded = decodeURIComponent(value);
    return decoded && !decoded.includes('/') ? decoded : undefined;
  } catch {
    return undefined;
  }
}

export function parseRoute(pathname: string): ConsoleRoute {
  if (pathname === CONSOLE_BASE || pathname === `${CONSOLE_BASE}/`) return { name: 'home' };
  if (!pathname.startsWith(`${CONSOLE_BASE}/`)) return { name: 'not-found' };
  const parts = pathname
    .slice(CONSOLE_BASE.length + 1)
    .replace(/\/$/, '')
    .split('/');
  const [page, id, ...rest] = parts;
  if (page === 'integrations' && rest.length === 2 && rest[0] === 'workflows' && id !== undefined) {
    const integrationId = segment(id);
    const workflowId = segment(rest[1]!);
    return integrationId && workflowId ? { name: 'workflow', integrationId, workflowId } : { name: 'not-found' };
  }
  if (rest.length > 0) return { name: 'not-found' };
  const param = id === undefined ? undefined : segment(id);
  if (id !== undefined && param === undefined) return { name: 'not-found' };
  switch (page) {
    case 'integrations':
      return param === undefined ? { name: 'integrations' } : { name: 'integration', integrationId: param };
    case 'deliveries':
    case 'settings':
    case 'setup':
      return param === undefined ? { name: page } : { name: 'not-found' };
    case 'users':
      return param === undefined ? { name: 'users' } : { name: 'users', userId: param };
    case 'logs':
      return param === undefined ? { name: 'logs' } : { name: 'logs', executionId: param };
    default:
      return { name: 'not-found' };
  }
}

/** The nav entry a route belongs to (users/:id is under Users, an integration's pages under Integrations), if any. */
export function navOf(route: ConsoleRoute): NavRoute | undefined {
  if (route.name === 'integration' || route.name === 'workflow') return 'integrations';
  return (NAV_ROUTES as readonly string[]).includes(route.name) ? (route.name as NavRoute) : undefined;
}

/**
 * Whether a click on `anchor` is one the shell handles itself: a plain left click on a same-origin
 * console page link (not the API, not an asset, not a new tab, not a download, not a same-page hash).
 */
/** The path of an integration's page, or of one of its workflows in the builder. */
export function integrationPath(integrationId: string, workflowId?: string): string {
  const page = `${CONSOLE_BASE}/integrations/${encodeURIComponent(integrationId)}`;
  return workflowId === undefined ? page : `${page}/workflows/${encodeURIComponent(workflowId)}`;
}

export function consoleLinkTarget(event: MouseEvent, anchor: HTMLAnchorElement): string | undefined {
  if (event.defaultPrevented || event.button !== 0) return undefined;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return undefined;
  if ((anchor.target && anchor.target !== '_self') || anchor.hasAttribute('download')) return undefined;
  const href = anchor.getAttribute('href');
  if (!href) return undefined;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin) return undefined;
  if (url.pathname !== CONSOLE_BASE && !url.pathname.startsWith(`${CONSOLE_BASE}/`)) return undefined;
  if (/^\/console\/(api|assets)(\/|$)/.test(url.pathname)) return undefined;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return undefined;
  return `${url.pathname}${url.search}`;
}
