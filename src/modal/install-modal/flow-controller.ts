import type { ReactiveControllerHost } from 'lit';
import type { WidgetIntegration } from '../../contract/index.js';
import type { InstallOutcome, ModalStep } from '../events.js';
import type { ModalMessages } from '../i18n/messages.js';
import type { ModalOperation } from '../options.js';
import type { WorkflowChoice } from './form-state.js';
import type { LazySteps } from './lazy-steps-controller.js';

/**
 * The steps a user walks through, in order: `auth-<i>` for the i-th app `getApps` names (its code is
 * loaded lazily), then workflows and config. The shell (progress, Back/Continue, focus,
 * announcements, close handling) is shared.
 */
export type FlowStep = `auth-${number}` | 'workflows' | 'config';
export type Failure = 'load' | 'install' | 'notInstalled' | 'noWorkflows';

/** Where the modal is. `index` is the step in `steps` the user is on (or was on, for an error). */
export type Phase =
  | { kind: 'loading' }
  | { kind: 'step'; index: number }
  | { kind: 'submitting'; index: number }
  | { kind: 'success'; outcome: InstallOutcome }
  | { kind: 'error'; failure: Failure; index: number };

export const isAuthStep = (step: FlowStep | undefined): step is `auth-${number}` => Boolean(step?.startsWith('auth-'));
export const authIndex = (step: FlowStep): number => Number(step.slice(5));

/** What the flow reads of the modal's options, and where it reports step changes. */
export interface FlowOptions {
  workflowSelection(): boolean;
  workflowIds(): string[] | undefined;
  stepChanged(step: ModalStep): void;
}

/**
 * The install flow: one phase at a time, the integration being installed, and the steps it takes
 * (the lazily loaded auth steps, workflows when the user may choose, then config).
 */
export class FlowController {
  phase: Phase = { kind: 'loading' };
  integration: WidgetIntegration | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly lazy: LazySteps,
    private readonly options: FlowOptions,
  ) {}

  /** Moves to `phase`, and tells listeners the step changed (submitting stays on its step). */
  go(phase: Phase): void {
    this.phase = phase;
    this.host.requestUpdate();
    if (phase.kind === 'step') {
      const step = this.step;
      this.options.stepChanged(isAuthStep(step) ? 'auth' : step);
    } else if (phase.kind !== 'submitting') {
      this.options.stepChanged(phase.kind);
    }
  }

  /** The step the user is on, or was on when the phase left the steps. */
  get index(): number {
    return 'index' in this.phase ? this.phase.index : 0;
  }

  get step(): FlowStep {
    return this.steps[this.index] ?? 'config';
  }

  get steps(): FlowStep[] {
    const auth = (this.lazy.auth?.apps ?? []).map((_, index): FlowStep => `auth-${index}`);
    return [
      ...auth,
      ...(this.options.workflowSelection() && this.offeredWorkflows.length > 1 ? ['workflows' as const] : []),
      'config',
    ];
  }

  get offeredWorkflows(): WorkflowChoice[] {
    const all: WorkflowChoice[] = this.integration?.workflows ?? [];
    const only = this.options.workflowIds();
    return only ? all.filter((workflow) => only.includes(workflow.workflowId)) : all;
  }

  /** Whether a form is on screen (a step, or the install error that can go back to one). */
  get editing(): boolean {
    const phase = this.phase;
    return phase.kind === 'step' || (phase.kind === 'error' && phase.failure === 'install');
  }

  /** The success outcome once installed, kept until the next session. */
  get outcome(): InstallOutcome | undefined {
    return this.phase.kind === 'success' ? this.phase.outcome : undefined;
  }

  stepName(step: FlowStep, m: ModalMessages): string {
    return step === 'workflows' || step === 'config'
      ? m.stepNames[step]
      : (this.lazy.auth?.apps[authIndex(step)]?.app.name ?? '');
  }

  failureHeadline(failure: Failure, m: ModalMessages, operation: ModalOperation): string {
    if (failure === 'load') return m.loadFailed;
    if (failure === 'install') return m.failed[operation];
    return failure === 'notInstalled' ? m.notInstalled : m.noWorkflows;
  }
}
