import { fixture, html, waitUntil } from '@open-wc/testing';
import type { WidgetApi } from '../../src/contract/index.js';
import { defineInstallModal, type AlloyInstallModal, type InstallOutcome } from '../../src/modal/index.js';
import { INTEGRATION_ID } from '../helpers/modal-doubles.js';

export * from '../helpers/modal-doubles.js';

defineInstallModal();

export interface OpenedModal {
  el: AlloyInstallModal;
  root: ShadowRoot;
  opener: HTMLButtonElement;
  outcome: Promise<InstallOutcome>;
}

/**
 * Puts a button on the page, focuses it, and opens the modal from it the way the SDK does
 * (create, set properties, append, show()).
 */
export async function openModal(
  api: WidgetApi,
  props: Partial<AlloyInstallModal> = {},
  { waitFor = 'ready' }: { waitFor?: 'ready' | 'open' | 'nothing' } = {},
): Promise<OpenedModal> {
  const opener = await fixture<HTMLButtonElement>(html`<button type="button">Open</button>`);
  opener.focus();
  const el = document.createElement('alloy-install-modal');
  el.integrationId = INTEGRATION_ID;
  el.api = api;
  el.successDuration = 60_000;
  Object.assign(el, props);
  document.body.append(el);
  const outcome = el.show();
  const root = el.shadowRoot!;
  if (waitFor === 'open') await waitUntil(() => dialogOf(root)?.open, 'dialog did not open');
  if (waitFor === 'ready') await waitUntil(() => root.querySelector('footer .primary'), 'first step did not render');
  return { el, root, opener, outcome };
}

export const dialogOf = (root: ShadowRoot) => root.querySelector('dialog') as HTMLDialogElement;
export const primaryButton = (root: ShadowRoot) => root.querySelector<HTMLButtonElement>('footer .primary')!;
export const stepTitle = (root: ShadowRoot) => root.querySelector('#alloy-step-title')?.textContent?.trim();
export const statusText = (root: ShadowRoot) => root.querySelector('[role="status"]')!.textContent!.trim();

/** The control labelled `label` (by `<label for>` or a fieldset legend). */
export function control<T extends HTMLElement = HTMLInputElement>(root: ShadowRoot, label: string): T {
  const labelEl = [...root.querySelectorAll('label[for]')].find((l) => l.textContent!.includes(label));
  if (labelEl) return root.getElementById(labelEl.getAttribute('for')!) as T;
  const legend = [...root.querySelectorAll('legend')].find((l) => l.textContent!.includes(label));
  if (legend) return legend.parentElement as T;
  throw new Error(`no control labelled ${label}`);
}

/** Types into a control as a user would: sets the value and fires `input` (and `change`). */
export function typeInto(input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

export function setChecked(input: HTMLInputElement, checked: boolean): void {
  input.checked = checked;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

export function errorFor(root: ShadowRoot, label: string): string | undefined {
  const el = control(root, label);
  const id = el.id || el.querySelector('input')?.id;
  return root.getElementById(`${id}-error`)?.textContent?.trim();
}

/** Fills EVERY_FIELD with valid values. */
export async function fillEveryField(el: AlloyInstallModal, root: ShadowRoot): Promise<void> {
  typeInto(control(root, 'Order reference prefix'), ' DS- ');
  typeInto(control<HTMLTextAreaElement>(root, 'Notes for the team'), 'Ship fast');
  typeInto(control(root, 'Batch size'), '25');
  setChecked(control(root, 'Include draft orders'), true);
  typeInto(control<HTMLSelectElement>(root, 'Warehouse region'), 'us');
  await el.updateComplete;
  const channels = control<HTMLFieldSetElement>(root, 'Sales channels').querySelectorAll('input');
  setChecked(channels[0]!, true);
  await el.updateComplete;
  setChecked(control<HTMLFieldSetElement>(root, 'Sales channels').querySelectorAll('input')[2]!, true);
  typeInto(control(root, 'Webhook signing key'), ' s3cret-key ');
  await el.updateComplete;
}

export function removeModals(): void {
  document.querySelectorAll('alloy-install-modal').forEach((modal) => modal.remove());
}
