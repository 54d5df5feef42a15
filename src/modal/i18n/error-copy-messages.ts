import type { ErrorMessages } from './error-messages.js';
import { MESSAGE_TABLES } from './locale.js';
import type { ModalMessages } from './messages.js';

/** English failure sentences: imported only by the lazily loaded error chunk (error-details.ts). */
const en: ErrorMessages = {
  unreachable: (service) =>
    `We couldn’t reach ${service ? `${service}’s service` : 'the service'}. Check your connection and try again.`,
  timeout: (service) =>
    `${service ? `${service}’s service` : 'The service'} took too long to answer. Try again in a minute.`,
  unavailable: (service) =>
    `${service ? `${service}’s service` : 'The service'} is having trouble. Try again in a minute.`,
  busy: 'Too many attempts. Wait a minute, then try again.',
  session: 'Your session has expired. Close this window and open it again.',
  notFound: 'This integration isn’t available right now. Try again later.',
  rejected: 'Some settings could not be saved. Go back, check them and try again.',
  unexpected: 'Something unexpected happened. Try again, or contact support with the details.',
};

/** The host's own sentences, else those of the built-in table of the modal's language, else English. */
export const errorMessages = (messages: ModalMessages): ErrorMessages =>
  messages.errors ?? MESSAGE_TABLES[messages.locale]?.errors ?? en;
