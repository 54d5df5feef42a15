import { fixture, html, waitUntil } from '@open-wc/testing';
import type { ConsoleApi, ConsoleLanguage } from '../../../../src/console/api-types.js';
import { defineConsoleViews } from '../../../../src/console/views/index.js';

defineConsoleViews();

export type ViewTag =
  'alloy-console-integrations' | 'alloy-console-users' | 'alloy-console-logs' | 'alloy-console-deliveries';

/** Mounts a view the way the shell does: properties `api`, `lang` and, for some, `route`. */
export async function mount<K extends ViewTag>(
  tag: K,
  api: ConsoleApi,
  { lang = 'en', route }: { lang?: ConsoleLanguage; route?: string } = {},
): Promise<HTMLElementTagNameMap[K]> {
  const parent = await fixture<HTMLDivElement>(html`<div></div>`);
  const el = document.createElement(tag);
  el.lang = lang;
  if (route !== undefined) (el as unknown as { route: string }).route = route;
  el.api = api;
  parent.append(el);
  await el.updateComplete;
  return el;
}

export const rootOf = (el: HTMLElement) => el.shadowRoot!;
export const text = (node: Element | ShadowRoot | null | undefined) =>
  (node?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** Waits until `selector` matches inside `root`, and returns it. */
export async function find<T extends Element = HTMLElement>(root: ShadowRoot, selector: string): Promise<T> {
  await waitUntil(() => root.querySelector(selector), `nothing matched ${selector}`);
  return root.querySelector<T>(selector)!;
}

/** The button whose text is `label`. */
export function button(root: ShadowRoot, label: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find((b) => text(b) === label);
  if (!found) throw new Error(`no button ${label}`);
  return found;
}

/** Types into a control as a user would. */
export function typeInto(control: HTMLInputElement | HTMLSelectElement, value: string): void {
  control.value = value;
  control.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  control.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}

/** Lets pending promise callbacks and a Lit update run. */
export async function settle(el: { updateComplete: Promise<unknown> }): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
  }
}
