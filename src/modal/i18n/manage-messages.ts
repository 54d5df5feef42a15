import { MESSAGE_TABLES } from './locale.js';
import type { ModalMessages } from './messages.js';

/**
 * Strings of uninstalling from an edit. English lives here, which only the lazily loaded chunk
 * imports (the base modal chunk stays within its budget); a group of their own, so a host that
 * replaces `messages` with an older table still gets these (in English) rather than empty buttons.
 */
export interface ManageMessages {
  /** The entry on the settings step of an edit or update. */
  uninstall: (integration: string) => string;
  uninstallTitle: (integration: string) => string;
  uninstallText: string;
  /** The confirmation's destructive button. */
  uninstallConfirm: string;
  uninstalling: string;
  uninstallFailed: string;
  cancel: string;
}

export const enManage: ManageMessages = {
  uninstall: (integration) => `Uninstall ${integration}`,
  uninstallTitle: (integration) => `Uninstall ${integration}?`,
  uninstallText:
    'Its workflows stop running and its settings are removed. Your connected account is kept, and you can install it again at any time.',
  uninstallConfirm: 'Uninstall',
  uninstalling: 'Uninstalling…',
  uninstallFailed: 'It was not uninstalled. Try again.',
  cancel: 'Cancel',
};

/** The host's own strings, else those of the built-in table of the modal's language, else English. */
export const manageMessages = (messages: ModalMessages): ManageMessages =>
  messages.manage ?? MESSAGE_TABLES[messages.locale]?.manage ?? enManage;
