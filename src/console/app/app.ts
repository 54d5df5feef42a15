import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ConsoleClient } from '../api.js';
import {
  CONSOLE_ENVIRONMENTS,
  ConsoleApiError,
  type ConsoleApi,
  type ConsoleEnvironment,
  type ConsoleLanguage,
} from '../api-types.js';
import {
  CONSOLE_LANGUAGES,
  isConsoleLanguage,
  LANGUAGE_NAMES,
  messagesFor,
  preferredLanguage,
  type ConsoleMessages,
  type ConsoleTheme,
} from '../i18n/index.js';
import type { ConsoleSession } from '../session-schemas.js';
import '../sign-in/sign-in.js';
import { consoleBaseStyles } from '../styles/tokens.styles.js';
import { appStyles } from './app.styles.js';
import type { AlloyConsoleNavigateEvent, AlloyConsoleSignedInEvent } from './events.js';
import {
  consoleLinkTarget,
  DEFAULT_PATH,
  NAV_ROUTES,
  navOf,
  parseRoute,
  type ConsoleRoute,
  type NavRoute,
} from './router.js';

const THEMES: readonly ConsoleTheme[] = ['auto', 'light', 'dark'];
/** localStorage keys: the console remembers these per browser. */
export const STORAGE_KEYS = {
  lang: 'alloy-console-lang',
  theme: 'alloy-console-theme',
  env: 'alloy-console-env',
} as const;

function readStored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage off (private mode, policy): the choice lasts for this page only.
  }
}

interface ViewContext {
  api: ConsoleApi;
  lang: ConsoleLanguage;
  route: ConsoleRoute;
}

/** A detail page's id as the views take it (`route`: the rest of the path, still URI-encoded; '' for the list). */
const rest = (id: string | undefined): string => (id === undefined ? '' : encodeURIComponent(id));

/**
 * The views another part of the console defines (src/console/views): the shell only knows their
 * tags and hands each the `ConsoleApi` of the current environment and the language (users and logs
 * also `route`). A tag that is
 * not defined yet renders as soon as it is (custom elements upgrade in place).
 */
const VIEWS: Readonly<
  Record<Exclude<NavRoute, 'settings'>, { tag: string; render: (context: ViewContext) => TemplateResult }>
> = {
  integrations: {
    tag: 'alloy-console-integrations',
    render: ({ api, lang }) =>
      html`<alloy-console-integrations .api=${api} .lang=${lang}></alloy-console-integrations>`,
  },
  users: {
    tag: 'alloy-console-users',
    render: ({ api, lang, route }) =>
      html`<alloy-console-users
        .api=${api}
        .lang=${lang}
        .route=${rest(route.name === 'users' ? route.userId : undefined)}
      ></alloy-console-users>`,
  },
  logs: {
    tag: 'alloy-console-logs',
    render: ({ api, lang, route }) =>
      html`<alloy-console-logs
        .api=${api}
        .lang=${lang}
        .route=${rest(route.name === 'logs' ? route.executionId : undefined)}
      ></alloy-console-logs>`,
  },
  deliveries: {
    tag: 'alloy-console-deliveries',
    render: ({ api, lang }) => html`<alloy-console-deliveries .api=${api} .lang=${lang}></alloy-console-deliveries>`,
  },
};

/** The tag of a page under an integration (not a nav view of its own). */
function pageTag(route: ConsoleRoute): string | undefined {
  if (route.name === 'integration') return 'alloy-console-integration-page';
  if (route.name === 'workflow') return 'alloy-console-workflow-builder';
  return undefined;
}

/**
 * The console: asks the server for the session, then shows setup, sign-in or the signed-in frame
 * (nav, environment switch, language, theme, sign-out) around the page `location.pathname` names.
 * Navigation uses the History API: console links anywhere inside (views' shadow roots included)
 * and `alloy-console-navigate` events push a page; Back and Forward work.
 */
@customElement('alloy-console-app')
export class AlloyConsoleApp extends LitElement {
  static override styles = [consoleBaseStyles, appStyles];

  /** The server door; one is made on connect when none is given (tests give one with a fake fetch). */
  @property({ attribute: false }) client: ConsoleClient | undefined;

  @state() session: ConsoleSession | undefined;
  @state() private sessionError: unknown;
  @state() override lang: ConsoleLanguage = 'en';
  @state() theme: ConsoleTheme = 'auto';
  @state() env: ConsoleEnvironment = 'development';
  @state() private route: ConsoleRoute = parseRoute(location.pathname);
  @state() private notice = '';
  @state() private status = '';
  @state() private lazyReady = new Set<string>();
  /** The header's menu on narrow screens (nav, language, theme, sign-out); the environment stays out of it. */
  @state() private menuOpen = false;

  private apis = new Map<ConsoleEnvironment, ConsoleApi>();
  private focusMainAfterRender = false;

  override connectedCallback(): void {
    super.connectedCallback();
    const lang = readStored(STORAGE_KEYS.lang);
    this.lang = isConsoleLanguage(lang) ? lang : preferredLanguage();
    const theme = readStored(STORAGE_KEYS.theme);
    this.theme = (THEMES as readonly (string | null)[]).includes(theme) ? (theme as ConsoleTheme) : 'auto';
    const env = readStored(STORAGE_KEYS.env);
    this.env = (CONSOLE_ENVIRONMENTS as readonly (string | null)[]).includes(env)
      ? (env as ConsoleEnvironment)
      : 'development';
    this.client ??= new ConsoleClient();
    this.client.onUnauthorized = () => this.sessionEnded();
    window.addEventListener('popstate', this.onPopState);
    this.addEventListener('click', this.onClick);
    this.addEventListener('alloy-console-navigate', this.onNavigate);
    this.addEventListener('alloy-console-signed-in', this.onSignedIn);
    this.route = parseRoute(location.pathname);
    this.applyDocument();
    void this.loadSession();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('popstate', this.onPopState);
    this.removeEventListener('click', this.onClick);
    this.removeEventListener('alloy-console-navigate', this.onNavigate);
    this.removeEventListener('alloy-console-signed-in', this.onSignedIn);
  }

  /** Shows the console page at `path` (e.g. `/console/logs`), pushing it onto the history. */
  navigate(path: string, { replace = false } = {}): void {
    const url = new URL(path, location.href);
    const target = `${url.pathname}${url.search}${url.hash}`;
    if (target !== `${location.pathname}${location.search}${location.hash}`) {
      if (replace) history.replaceState(null, '', target);
      else history.pushState(null, '', target);
    }
    this.focusMainAfterRender = !replace;
    this.setRoute(parseRoute(url.pathname));
  }

  private get m(): ConsoleMessages {
    return messagesFor(this.lang);
  }

  private api(): ConsoleApi {
    let api = this.apis.get(this.env);
    if (!api) {
      api = this.client!.api(this.env);
      this.apis.set(this.env, api);
    }
    return api;
  }

  private async loadSession(): Promise<void> {
    this.sessionError = undefined;
    try {
      this.session = await this.client!.getSession();
      if (this.session.state === 'signed-in') this.settle();
      else this.setRoute(parseRoute(location.pathname));
    } catch (error) {
      this.session = undefined;
      this.sessionError = error;
    }
  }

  /** Signed in: `/console` and the setup page lead to the default page. */
  private settle(): void {
    if (this.route.name === 'home' || this.route.name === 'setup') this.navigate(DEFAULT_PATH, { replace: true });
    else this.setRoute(this.route);
  }

  private setRoute(route: ConsoleRoute): void {
    this.route = route;
    this.menuOpen = false;
    if (route.name === 'settings') this.lazyLoad('settings', () => import('../settings/settings.js'));
    if (route.name === 'setup') this.lazyLoad('setup', () => import('../setup/setup.js'));
    if (route.name === 'workflow') this.lazyLoad('builder', () => import('../views/builder.js'));
    const nav = navOf(route);
    if (nav && nav !== 'settings') {
      const tag = pageTag(route) ?? VIEWS[nav].tag;
      if (!customElements.get(tag)) void customElements.whenDefined(tag).then(() => this.requestUpdate());
    }
  }

  private lazyLoad(name: string, load: () => Promise<unknown>): void {
    if (this.lazyReady.has(name)) return;
    load().then(
      () => (this.lazyReady = new Set([...this.lazyReady, name])),
      (error: unknown) => (this.sessionError = error),
    );
  }

  private sessionEnded(): void {
    if (this.session?.state !== 'signed-in') return;
    this.session = { state: 'signed-out' };
    this.notice = this.m.sessionEnded;
  }

  private readonly onPopState = (): void => {
    this.focusMainAfterRender = true;
    this.setRoute(parseRoute(location.pathname));
  };

  private readonly onClick = (event: MouseEvent): void => {
    const anchor = event.composedPath().find((node): node is HTMLAnchorElement => node instanceof HTMLAnchorElement);
    if (!anchor) return;
    const target = consoleLinkTarget(event, anchor);
    if (target === undefined) return;
    event.preventDefault();
    this.navigate(target);
  };

  private readonly onNavigate = (event: AlloyConsoleNavigateEvent): void => {
    event.stopPropagation();
    this.navigate(event.detail.path);
  };

  private readonly onSignedIn = (event: AlloyConsoleSignedInEvent): void => {
    this.session = event.detail;
    this.notice = '';
    this.apis.clear();
    this.focusMainAfterRender = true;
    this.navigate(DEFAULT_PATH, { replace: true });
    this.focusMainAfterRender = true;
  };

  private async signOut(): Promise<void> {
    this.status = '';
    try {
      await this.client!.signOut();
      this.session = { state: 'signed-out' };
      this.notice = '';
      this.apis.clear();
    } catch (error) {
      this.status =
        error instanceof ConsoleApiError && error.code === 'network' ? this.m.networkError : this.m.loadFailed;
    }
  }

  private setLang(value: string): void {
    if (!isConsoleLanguage(value)) return;
    this.lang = value;
    store(STORAGE_KEYS.lang, value);
  }

  private setTheme(value: string): void {
    if (!(THEMES as readonly string[]).includes(value)) return;
    this.theme = value as ConsoleTheme;
    store(STORAGE_KEYS.theme, value);
  }

  private setEnv(value: string): void {
    if (!(CONSOLE_ENVIRONMENTS as readonly string[]).includes(value)) return;
    this.env = value as ConsoleEnvironment;
    store(STORAGE_KEYS.env, value);
    this.status = `${this.m.environment}: ${this.m.environments[this.env]}`;
  }

  /** `<html lang>`, `data-theme` and the title follow the console's state. */
  private applyDocument(): void {
    const root = document.documentElement;
    root.lang = this.m.locale;
    root.dataset['theme'] = this.theme;
    const nav = navOf(this.route);
    const page =
      this.session?.state === 'signed-in'
        ? nav
          ? this.m.nav[nav]
          : this.route.name === 'not-found'
            ? this.m.notFoundTitle
            : undefined
        : this.session?.state === 'signed-out'
          ? this.m.signIn.title
          : undefined;
    document.title = page ? `${page} · ${this.m.appName}` : this.m.appName;
  }

  override updated(): void {
    this.applyDocument();
    if (this.focusMainAfterRender && this.session?.state === 'signed-in') {
      this.focusMainAfterRender = false;
      this.renderRoot.querySelector<HTMLElement>('main')?.focus({ preventScroll: false });
    }
  }

  override render() {
    const m = this.m;
    if (this.sessionError !== undefined) return this.renderFailure();
    if (!this.session) return html`<div class="centered"><p role="status">${m.loading}</p></div>`;
    if (this.session.state === 'signed-in') return this.renderSignedIn(this.session.username);
    if (this.route.name === 'setup')
      return this.lazyReady.has('setup')
        ? html`<alloy-console-setup .client=${this.client!} lang=${this.lang}></alloy-console-setup>`
        : html`<div class="centered"><p role="status">${m.loading}</p></div>`;
    if (this.session.state === 'setup-required')
      return html`<main class="centered">
        <div class="card stack">
          <h1>${m.setupRequired.title}</h1>
          <p>${m.setupRequired.text}</p>
        </div>
      </main>`;
    return html`<alloy-console-sign-in
      .client=${this.client!}
      lang=${this.lang}
      notice=${this.notice}
    ></alloy-console-sign-in>`;
  }

  private renderFailure() {
    const m = this.m;
    const error = this.sessionError;
    const detail =
      error instanceof ConsoleApiError
        ? error.code === 'network'
          ? m.networkError
          : [error.message, error.requestId ? m.requestId(error.requestId) : ''].filter(Boolean).join(' ')
        : '';
    return html`<main class="centered">
      <div class="card stack" role="alert">
        <h1>${m.loadFailed}</h1>
        ${detail ? html`<p>${detail}</p>` : nothing}
        <div class="row"><button type="button" @click=${() => void this.loadSession()}>${m.retry}</button></div>
      </div>
    </main>`;
  }

  private toggleMenu(): void {
    this.menuOpen = !this.menuOpen;
  }

  /** Escape closes the open menu and puts focus back on its button. */
  private readonly onHeaderKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || !this.menuOpen) return;
    event.preventDefault();
    this.menuOpen = false;
    this.renderRoot.querySelector<HTMLButtonElement>('button.menu-toggle')?.focus();
  };

  private renderSignedIn(username: string) {
    const m = this.m;
    const current = navOf(this.route);
    return html`
      <button type="button" class="skip secondary" @click=${this.skipToMain}>${m.skipToContent}</button>
      <header class=${this.env} ?data-menu-open=${this.menuOpen} @keydown=${this.onHeaderKeydown}>
        <div class="bar">
          <div class="brand">
            ${m.appName}
            ${this.env === 'production' ? html`<span class="env-badge">${m.environments.production}</span>` : nothing}
          </div>
          <label class="env"
            ><span class="env-label">${m.environment}</span>
            <select @change=${(event: Event) => this.setEnv((event.target as HTMLSelectElement).value)}>
              ${CONSOLE_ENVIRONMENTS.map((env) => html`<option value=${env} ?selected=${env === this.env}>${m.environments[env]}</option>`)}
            </select>
          </label>
          <button
            type="button"
            class="menu-toggle secondary"
            aria-expanded=${this.menuOpen ? 'true' : 'false'}
            aria-controls="header-menu main-nav"
            @click=${this.toggleMenu}
          >
            ${m.menu}
          </button>
          <div class="controls" id="header-menu">
            <label
              >${m.language}
              <select @change=${(event: Event) => this.setLang((event.target as HTMLSelectElement).value)}>
                ${CONSOLE_LANGUAGES.map((lang) => html`<option value=${lang} lang=${lang} ?selected=${lang === this.lang}>${LANGUAGE_NAMES[lang]}</option>`)}
              </select>
            </label>
            <label
              >${m.theme}
              <select @change=${(event: Event) => this.setTheme((event.target as HTMLSelectElement).value)}>
                ${THEMES.map((theme) => html`<option value=${theme} ?selected=${theme === this.theme}>${m.themes[theme]}</option>`)}
              </select>
            </label>
            <div class="user">
              <span>${m.signedInAs(username)}</span>
              <button type="button" class="secondary" @click=${() => void this.signOut()}>${m.signOut}</button>
            </div>
          </div>
        </div>
        <nav id="main-nav" aria-label=${m.mainNav}>
          <ul>
            ${NAV_ROUTES.map(
              (name) =>
                html`<li>
                  <a href="/console/${name}" aria-current=${name === current ? 'page' : nothing}>${m.nav[name]}</a>
                </li>`,
            )}
          </ul>
        </nav>
        <p class="visually-hidden" role="status">${this.status}</p>
      </header>
      <main id="main" tabindex="-1">${this.renderPage()}</main>
    `;
  }

  private skipToMain(): void {
    this.renderRoot.querySelector<HTMLElement>('main')?.focus();
  }

  private renderPage(): TemplateResult {
    const m = this.m;
    const route = this.route;
    const loading = html`<p role="status">${m.loading}</p>`;
    if (route.name === 'settings')
      return this.lazyReady.has('settings')
        ? html`<alloy-console-settings
            .api=${this.api()}
            .keysApi=${this.client!}
            lang=${this.lang}
          ></alloy-console-settings>`
        : loading;
    const page = this.renderIntegrationPage(route);
    if (page) return customElements.get(pageTag(route)!) ? page : html`${page}${loading}`;
    const nav = navOf(route);
    if (!nav) return this.renderNotFound();
    const view = VIEWS[nav as Exclude<NavRoute, 'settings'>];
    const list = view.render({ api: this.api(), lang: this.lang, route });
    return customElements.get(view.tag) ? list : html`${list}${loading}`;
  }

  /** An integration's page or the builder of one of its workflows (src/console/views). */
  private renderIntegrationPage(route: ConsoleRoute): TemplateResult | undefined {
    if (route.name === 'integration')
      return html`<alloy-console-integration-page
        .api=${this.api()}
        .lang=${this.lang}
        .integrationId=${route.integrationId}
      ></alloy-console-integration-page>`;
    if (route.name === 'workflow')
      return html`<alloy-console-workflow-builder
        .api=${this.api()}
        .lang=${this.lang}
        .integrationId=${route.integrationId}
        .workflowId=${route.workflowId}
      ></alloy-console-workflow-builder>`;
    return undefined;
  }

  private renderNotFound(): TemplateResult {
    const m = this.m;
    return html`<section class="card stack" aria-labelledby="not-found-title">
      <h1 id="not-found-title">${m.notFoundTitle}</h1>
      <p>${m.notFoundText}</p>
      <p><a href=${DEFAULT_PATH}>${m.backToIntegrations}</a></p>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-app': AlloyConsoleApp;
  }
}
