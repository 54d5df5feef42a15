import type { ModalOperation } from '../options.js';
import type { AuthMessages } from './auth-messages.js';
import type { ManageMessages } from './manage-messages.js';
import type { ErrorDetailsMessages, ErrorMessages } from './error-messages.js';

/**
 * Every string the modal shows. A locale is one object of this type, so a missing or misspelled key
 * is a type error, and plurals or interpolation are plain functions of already-formatted values.
 * Strings from the API (names, labels, help text) are never translated here.
 */
export interface ModalMessages {
  /** BCP 47 tag of the table; becomes the dialog's `lang`. */
  locale: string;
  close: string;
  loading: string;
  /** Accessible name of the step list. */
  progress: string;
  stepOf: (step: number, total: number) => string;
  /** Step names in the progress list; `config` also titles the settings step, `done` the last button. */
  stepNames: { workflows: string; config: string; done: string };
  workflowsTitle: string;
  workflowsIntro: string;
  chooseOneWorkflow: string;
  configIntro: string;
  noConfiguration: string;
  /** Shown next to the label of a field that may stay empty. */
  optional: string;
  selectPlaceholder: string;
  show: string;
  hide: string;
  /** Under a secret field whose value is saved on the server (never sent back to the browser). */
  secretSaved: string;
  /** The placeholder of such a field. */
  secretSavedPlaceholder: string;
  back: string;
  next: string;
  /** The primary button of the last step, per operation. */
  finish: Record<ModalOperation, string>;
  working: Record<ModalOperation, string>;
  succeeded: Record<ModalOperation, (integrationName: string) => string>;
  retry: string;
  errorTitle: string;
  loadFailed: string;
  failed: Record<ModalOperation, string>;
  notInstalled: string;
  noWorkflows: string;
  fixErrors: (count: number) => string;
  required: string;
  mustBeNumber: string;
  tooShort: (min: string) => string;
  tooLong: (max: string) => string;
  tooSmall: (min: string) => string;
  tooLarge: (max: string) => string;
  badFormat: string;
  notAnOption: string;
  discardTitle: string;
  discardText: string;
  keepEditing: string;
  discard: string;
  /** Heads the success step's list of what the installed workflows now do (their own descriptions). */
  whatHappensNow: string;
  /** The header line when the host names its brand: "AcmeCo uses Alloy to connect Demo Store". */
  brandConnects: (brand: string, integration: string) => string;
  /**
   * Failures in the user's terms. English lives in `error-copy-messages.ts`, which only the lazily
   * loaded error chunk imports (error-details.ts); the other built-in tables carry their own here.
   */
  errors?: ErrorMessages;
  /** The Details view's labels; English in `error-details-messages.ts` (loaded with that view). */
  errorDetails?: ErrorDetailsMessages;
  /**
   * The auth step's and dynamic selects' strings. English lives in `auth-messages.ts`, which only
   * the lazily loaded auth chunk imports; the other built-in tables carry their own here (so they
   * load with the language); a host replacing `messages` may give its own.
   */
  auth?: AuthMessages;
  /** Uninstalling (English in `manage-messages.ts`); a host may give its own. */
  manage?: ManageMessages;
}
