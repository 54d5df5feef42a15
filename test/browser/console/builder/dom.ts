import { fixture, html, waitUntil } from '@open-wc/testing';
import type { ConsoleApi } from '../../../../src/console/api-types.js';
import type { AlloyConsoleWorkflowBuilder } from '../../../../src/console/views/index.js';
import { text } from '../views/dom.js';
// Defines the views (the shell does the same through defineConsoleViews()) and the builder's chunk.
import '../views/dom.js';
import '../../../../src/console/views/builder.js';
import { CONSOLE_INTEGRATION_ID, CONSOLE_WORKFLOW_ID } from './fixtures.js';

/** Mounts the builder as the shell does, and waits until it shows the workflow. */
export async function mountBuilder(
  api: ConsoleApi,
  { integrationId = CONSOLE_INTEGRATION_ID, workflowId = CONSOLE_WORKFLOW_ID } = {},
): Promise<AlloyConsoleWorkflowBuilder> {
  const parent = await fixture<HTMLDivElement>(html`<div></div>`);
  const el = document.createElement('alloy-console-workflow-builder');
  el.integrationId = integrationId;
  el.workflowId = workflowId;
  el.api = api;
  parent.append(el);
  await waitUntil(() => el.shadowRoot?.querySelector('alloy-console-builder-flow, .error'), 'the builder did not load');
  await el.updateComplete;
  return el;
}

/** The shadow root of the first `selector` inside `root`. */
export function inner(root: ShadowRoot | Element, selector: string): ShadowRoot {
  const host = (root instanceof Element ? root.shadowRoot! : root).querySelector(selector);
  if (!host?.shadowRoot) throw new Error(`no ${selector}`);
  return host.shadowRoot;
}

/** The button whose text or accessible label is `label` inside `root`. */
export function buttonNamed(root: ShadowRoot, label: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find(
    (b) =>
      b.getAttribute('aria-label') === label ||
      text(b) === label ||
      text(b.querySelector('.visually-hidden')) === label,
  );
  if (!found) throw new Error(`no button ${label}`);
  return found;
}

export const flowOf = (el: HTMLElement) => inner(el.shadowRoot!, 'alloy-console-builder-flow');
export const panelOf = (el: HTMLElement) => inner(el.shadowRoot!, 'alloy-console-block-panel');

/** Waits `ms` of real time. */
export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
