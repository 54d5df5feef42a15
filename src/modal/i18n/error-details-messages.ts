import type { ErrorDetailsMessages } from './error-messages.js';
import { MESSAGE_TABLES } from './locale.js';
import type { ModalMessages } from './messages.js';

/** English Details labels: imported only by the lazily loaded Details chunk (error-details.ts). */
const en: ErrorDetailsMessages = {
  details: 'Details',
  status: 'Status',
  request: 'Request',
  message: 'Message',
  requestId: 'Request ID',
  copy: 'Copy details',
  copied: 'Details copied to the clipboard.',
  copyFailed: 'Could not copy. Select the text and copy it.',
};

/** The host's own labels, else those of the built-in table of the modal's language, else English. */
export const errorDetailsMessages = (messages: ModalMessages): ErrorDetailsMessages =>
  messages.errorDetails ?? MESSAGE_TABLES[messages.locale]?.errorDetails ?? en;
