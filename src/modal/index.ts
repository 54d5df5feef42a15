import { AlloyInstallModal } from './install-modal/install-modal.js';

export { AlloyInstallModal } from './install-modal/install-modal.js';
export type * from './events.js';
export type { ModalAppearance, ModalColors, ModalOperation, PrefilledValue } from './options.js';
export type { ModalMessages } from './i18n/messages.js';
export { en as englishMessages } from './i18n/en.js';
export { MESSAGE_TABLES } from './i18n/locale.js';

export const INSTALL_MODAL_TAG = 'alloy-install-modal';

declare global {
  interface HTMLElementTagNameMap {
    'alloy-install-modal': AlloyInstallModal;
  }
}

/** Registers `<alloy-install-modal>` once; importing this module alone defines nothing. */
export function defineInstallModal(): void {
  if (!customElements.get(INSTALL_MODAL_TAG)) customElements.define(INSTALL_MODAL_TAG, AlloyInstallModal);
}
