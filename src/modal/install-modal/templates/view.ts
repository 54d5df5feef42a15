import type { ModalMessages } from '../../i18n/messages.js';
import type { ModalAppearance, ModalOperation } from '../../options.js';
import type { DialogController, Dismissal } from '../dialog-controller.js';
import type { FlowController } from '../flow-controller.js';
import type { FormState } from '../form-state.js';
import type { LazySteps } from '../lazy-steps-controller.js';
import type { UninstallConfirm } from '../uninstall-confirm.js';
import type { ErrorView } from '../../internal/error-view.js';

export const STEP_TITLE_ID = 'alloy-step-title';

/** Everything the templates read and call; the element builds it for each render. */
export interface ModalView {
  readonly m: ModalMessages;
  readonly dir: 'ltr' | 'rtl';
  readonly dark: boolean;
  readonly heading: string;
  readonly operation: ModalOperation;
  readonly appearance: ModalAppearance | undefined;
  readonly flow: FlowController;
  readonly form: FormState;
  readonly lazy: LazySteps;
  readonly dialog: DialogController;
  readonly confirming: boolean;
  /** Uninstall from an edit: its entry on the settings step, and its question in place of the step. */
  readonly uninstall: UninstallConfirm | undefined;
  readonly status: string;
  readonly brokenImages: ReadonlySet<string>;
  /** The error state's sentence and Details (src/modal/internal/error-view.ts). */
  readonly errorView: ErrorView;
  readonly actions: ModalActions;
}

/** What the user can do from the shell. */
export interface ModalActions {
  submit(event: SubmitEvent): void;
  requestClose(source: Dismissal): void;
  close(): void;
  back(index: number): void;
  retry(): void;
  keepEditing(): void;
  discard(): void;
  imageFailed(url: string): void;
}
